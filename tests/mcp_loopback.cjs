// Preloaded into node by the MCP tests: a server that asks to listen on a port listens on 127.0.0.1 only
// (server-everything's HTTP transports and the conformance suite's test servers otherwise take every
// interface). The socket is bound at once, as `listen(port)` without a host does, so code that reads
// `server.address()` right after `listen` (express apps) still works; a host name would bind later.
const net = require("net");
const { TCP, constants } = process.binding("tcp_wrap");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
    const rest = args.slice(1).filter((a) => typeof a === "function");
    const handle = new TCP(constants.SERVER);
    if (handle.bind("127.0.0.1", Number(args[0])) !== 0) {
      handle.close();
      return listen.call(this, Number(args[0]), "127.0.0.1", ...rest);
    }
    return listen.call(this, handle, ...rest);
  }
  return listen.apply(this, args);
};
