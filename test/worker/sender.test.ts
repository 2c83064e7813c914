import { describe, expect, it } from "vitest";
import { sourceNames } from "../../src/sources";
import { genericTicket, SAMPLES } from "../../tools/signers";
import { callWorker, SECRET } from "./helpers";

// `npm run send` signs exactly as each tracker does; every adapter must accept it.
const fixtures = import.meta.glob("@fixtures/*.json", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const fixture = (name: string) => Object.entries(fixtures).find(([path]) => path.endsWith(`/${name}`))?.[1];

describe("the sample sender's signatures", () => {
  it("has a signer for every registered source", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(sourceNames().sort());
  });

  it.each(Object.keys(SAMPLES))("%s: the adapter accepts what the sender signs, and refuses another secret", async (name) => {
    const sample = SAMPLES[name]!;
    const text = sample.fixture ? fixture(sample.fixture) : genericTicket(`SEND-${crypto.randomUUID().slice(0, 6)}`);
    expect(text, `fixture ${sample.fixture}`).toBeDefined();
    const body = new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;

    const send = async (secret: string) => {
      const { path, headers } = await sample.sign(body, secret);
      return callWorker(new Request(`https://bridge.test${path}?label=devin-autofix`, { method: "POST", headers, body }));
    };
    const good = await send(SECRET);
    expect([200, 202], `${name}: ${await good.clone().text()}`).toContain(good.status);
    expect(((await good.json()) as { status: string }).status).not.toBe("skipped");
    expect((await send("some-other-secret")).status).toBe(401);
  });
});
