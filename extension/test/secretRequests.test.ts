import { describe, expect, it } from "vitest";
import { SecretRequests, type TraceLevel } from "../src/secretRequests";

function channel(configured: TraceLevel) {
  let level: TraceLevel = configured;
  const log: string[] = [];
  const secrets = new SecretRequests(
    () => configured,
    async (next) => {
      level = next;
      log.push(`trace ${next}`);
    },
  );
  const sent = (what: string) => async () => {
    log.push(`${what} sent while tracing ${level}`);
    return what;
  };
  return { secrets, log, sent, level: () => level };
}

describe("secret requests", () => {
  it("go out untraced under verbose tracing, which comes back afterwards", async () => {
    const { secrets, log, sent, level } = channel("verbose");
    expect(await secrets.send(sent("key"))).toBe("key");
    expect(log).toEqual(["trace off", "key sent while tracing off", "trace verbose"]);
    expect(level()).toBe("verbose");
  });

  it("leave tracing alone when it is off", async () => {
    const { secrets, log, sent } = channel("off");
    await secrets.send(sent("key"));
    expect(log).toEqual(["key sent while tracing off"]);
  });

  it("keep tracing off until the last of overlapping secret requests is answered", async () => {
    const { secrets, log, level } = channel("compact");
    let answerFirst: ((value: string) => void) | undefined;
    const first = secrets.send(() => new Promise<string>((resolve) => (answerFirst = resolve)));
    while (!answerFirst) await Promise.resolve();
    const second = secrets.send(async () => {
      log.push(`second sent while tracing ${level()}`);
      return "second";
    });
    await second;
    expect(level()).toBe("off");
    answerFirst?.("first");
    await first;
    expect(log).toEqual(["trace off", "second sent while tracing off", "trace compact"]);
    expect(level()).toBe("compact");
  });

  it("restore tracing when the request fails", async () => {
    const { secrets, level } = channel("verbose");
    await expect(secrets.send(async () => Promise.reject(new Error("keyring locked")))).rejects.toThrow("keyring locked");
    expect(level()).toBe("verbose");
  });
});
