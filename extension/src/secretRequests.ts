// Requests that carry a secret (an API key on its way to the server's keyring) go out with the language
// client's message tracing off: with `flambeau.trace.server` at "messages", "compact" or "verbose", the
// client would otherwise copy their params, the key included, into the output channel.
export type TraceLevel = "off" | "messages" | "compact" | "verbose";

export class SecretRequests {
  private inFlight = 0;

  constructor(
    private readonly configured: () => TraceLevel,
    private readonly setTrace: (level: TraceLevel) => Promise<void>,
  ) {}

  /** Runs `send` with tracing off; the configured level comes back once no secret request is in flight. */
  async send<T>(send: () => Promise<T>): Promise<T> {
    if (this.inFlight === 0 && this.configured() === "off") return send();
    this.inFlight += 1;
    try {
      if (this.inFlight === 1) await this.setTrace("off");
      return await send();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) await this.setTrace(this.configured());
    }
  }
}
