// Preloaded into node by the MCP tests: a server that asks to listen on a port listens on 127.0.0.1 only
// (server-everything's HTTP transports otherwise take every interface).
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
    const rest = args.slice(1).filter((a) => typeof a === "function");
    return listen.call(this, Number(args[0]), "127.0.0.1", ...rest);
  }
  return listen.apply(this, args);
};
