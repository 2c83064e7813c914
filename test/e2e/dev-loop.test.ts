import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caseTables } from "../support/case-tables";
import { freePort } from "../support/wrangler-dev";

const root = resolve(import.meta.dirname, "../..");

// The operator's first ten minutes, as the README tells them: `npm run dev`, then `npm run send`
// of every sample. Each must become a session on the mock Devin and a comment on the mock tracker.
describe("npm run dev + npm run send", () => {
  let dev: ChildProcess;
  let output = "";
  let url = "";
  let trackerUrl = "";
  // Fresh local state: wrangler dev otherwise keeps KV and workflows in .wrangler/state between runs.
  const state = mkdtempSync(join(tmpdir(), "bridge-dev-loop-"));

  beforeAll(async () => {
    const [port, devinPort, trackerPort] = [await freePort(), await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    trackerUrl = `http://127.0.0.1:${trackerPort}`;
    dev = spawn(process.execPath, ["scripts/dev.ts", "--ip", "127.0.0.1", "--inspector-port", String(await freePort()), "--persist-to", state, "--fresh"], {
      cwd: root,
      env: { ...process.env, PORT: String(port), DEVIN_MOCK_PORT: String(devinPort), TRACKER_MOCK_PORT: String(trackerPort), NO_COLOR: "1", CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    dev.stdout!.on("data", (d) => (output += d));
    dev.stderr!.on("data", (d) => (output += d));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`npm run dev did not come up:\n${output.slice(-3000)}`);
  });

  afterAll(async () => {
    if (dev?.pid) {
      try {
        process.kill(-dev.pid, "SIGINT");
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 1_500));
      try {
        process.kill(-dev.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(state, { recursive: true, force: true });
  });

  it("turns every sample into a session and an acknowledgement on the ticket", { timeout: 240_000 }, async () => {
    const sources = (await caseTables()).map((t) => t.tracker);
    for (const source of sources) {
      const sent = spawnSync(process.execPath, ["scripts/send.ts", source, "--url", url], { cwd: root, encoding: "utf8" });
      expect(sent.status, `${source}: ${sent.stdout}${sent.stderr}`).toBe(0);
      expect(sent.stdout).toMatch(/20[02] /);
    }
    const sessions = () => output.match(/\[devin\] POST \S+\/sessions 200 → session/g)?.length ?? 0;
    // What the mock tracker received, decoded: JSON, GraphQL variables or a form (Conduit) alike.
    let ackCount = 0;
    const acks = async () => {
      const received = (await (await fetch(`${trackerUrl}/__mock/requests`)).json()) as { method: string; body: unknown }[];
      const text = (body: unknown) => (typeof body === "string" ? decodeURIComponent(body.replace(/\+/g, " ")) : JSON.stringify(body));
      ackCount = received.filter((r) => r.method !== "GET" && text(r.body).includes("Devin is working on this ticket")).length;
      return ackCount;
    };
    // Phorge's sample waits for its enrich step to give up on the mock's Conduit before it starts.
    const deadline = Date.now() + 120_000;
    while ((sessions() < sources.length || (await acks()) < sources.length) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(sessions(), output.slice(-4000)).toBe(sources.length);
    expect(ackCount, output.slice(-4000)).toBe(sources.length);
    // `--fresh` said what it wiped; each step of a ticket's path is one readable line, not JSON.
    expect(output).toContain(`[dev] --fresh: wiped the local state in ${state}`);
    expect(output).toMatch(/\[ticket\] github:\S+:devin-autofix · webhook · accepted/);
    expect(output).toMatch(/\[ticket\] github:\S+:devin-autofix · session created · session_id=\S+ · playbook=/);
    expect(output).not.toMatch(/^\{"level":/m);
  });

  it("npm run doctor passes against it, with the admin token from .dev.vars", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    delete env.ADMIN_TOKEN;
    const doctor = spawnSync(process.execPath, ["scripts/doctor.ts", "--url", url], { cwd: root, encoding: "utf8", env });
    expect(doctor.stdout).toMatch(/all \d+ checks passed/);
    expect(doctor.stdout).toContain("✓ Devin API key");
    expect(doctor.status, doctor.stdout + doctor.stderr).toBe(0);
  });
});
