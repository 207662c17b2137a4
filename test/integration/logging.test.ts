/**
 * Logging: a capturing logger sees every frame in and out (debug on) with its
 * session id, view, transport and ref on all three transports; nothing with
 * debug off; app errors and start-up warnings go through the logger; a logger
 * missing methods is refused at createWeft.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { createWeft } from "../../src/index.ts";
import type { Logger } from "../../src/server/logger.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { Counter } from "../support/views.ts";
import type { TransportKind } from "../support/wires.ts";

interface Line { level: string; fields: Record<string, unknown>; msg: string }

function capture(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, logger: { info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") } };
}

const frames = (lines: Line[], dir: "in" | "out") => lines.filter((l) => l.level === "debug" && l.fields.dir === dir);

describe("frame logging (debug: true)", () => {
  for (const transport of ["websocket", "sse", "http"] as TransportKind[]) {
    it(`logs each frame in and out with sid, view, transport and ref over ${transport}`, async () => {
      const { logger, lines } = capture();
      const { app, base } = await startApp({ logger, debug: true });
      const c = await ProtocolClient.connect(base, {}, transport);
      try {
        const { token } = await getPage(base, "/counter");
        const joined = await c.join(1, token);
        assert.equal(joined.t, "f");
        const answer = await c.event(1, "inc", {}, 7);
        assert.equal(answer.r, 7);
        const ins = frames(lines, "in");
        const outs = frames(lines, "out");
        const join = ins.find((l) => l.fields.kind === "join");
        const event = ins.find((l) => l.fields.kind === "event");
        const diff = outs.find((l) => l.fields.kind === "diff" && l.fields.ref === 7);
        const rendered = outs.find((l) => l.fields.kind === "rendered");
        for (const [name, line] of Object.entries({ join, event, diff, rendered })) {
          assert.ok(line !== undefined, `${name} logged; got ${JSON.stringify(lines.map((l) => l.fields.kind))}`);
          assert.equal(line.fields.transport, transport, name);
          assert.equal(line.fields.view, "/counter", name);
          assert.match(String(line.fields.sid), /^[A-Za-z0-9_-]{16,}$/, name);
          assert.equal(line.fields.v, 1, name);
        }
        assert.equal(event!.fields.ref, 7);
        assert.equal(event!.msg, "frame in");
        assert.equal(diff!.msg, "frame out");
        assert.equal(join!.fields.sid, diff!.fields.sid);
        // View tokens are credentials: never in the log.
        for (const l of [...ins, ...outs]) assert.ok(!String(l.fields.frame).includes(token.slice(0, 40)), `token in ${String(l.fields.frame)}`);
      } finally {
        await c.close();
        await app.close();
      }
    });
  }

  it("logs no frame when debug is off", async () => {
    const { logger, lines } = capture();
    const { app, base } = await startApp({ logger, debug: false });
    const c = await ProtocolClient.connect(base);
    try {
      await c.join(1, (await getPage(base, "/counter")).token);
      await c.event(1, "inc");
      assert.deepEqual(lines.filter((l) => l.level === "debug"), []);
    } finally {
      await c.close();
      await app.close();
    }
  });

  it("turns frame logging on from WEFT_DEBUG=1 when the option is not given", () => {
    // createWeft resolves options once; the resolved flag is what Connection reads.
    const probe = (env: Record<string, string>) => spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e",
      `import { resolveOptions } from "./src/server/options.ts"; import { Counter } from "./test/support/views.ts";
       const at = () => {};
       const o = resolveOptions({ views: { "/": Counter }, secret: "0123456789abcdef0123", logger: { info: at, warn: at, error: at, debug: at } ${env.EXPLICIT ?? ""} });
       console.log(String(o.debug));`], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 30_000 });
    assert.equal(probe({ WEFT_DEBUG: "1" }).stdout.trim(), "true");
    assert.equal(probe({ WEFT_DEBUG: "" }).stdout.trim(), "false");
    assert.equal(probe({ WEFT_DEBUG: "1", EXPLICIT: ", debug: false" }).stdout.trim(), "false");
  });
});

describe("the logger option", () => {
  it("receives app errors through the default onError, with the error and where it happened", async () => {
    const { logger, lines } = capture();
    const { app, base } = await startApp({ logger, onError: undefined });
    const c = await ProtocolClient.connect(base);
    try {
      await c.join(1, (await getPage(base, "/counter")).token);
      assert.equal((await c.event(1, "boom")).c, "E_HANDLER");
      const line = lines.find((l) => l.level === "error");
      assert.ok(line !== undefined, "an error line");
      assert.match(String(line.fields.where), /boom/);
      assert.match(String((line.fields.err as Error).message), /handler exploded/);
    } finally {
      await c.close();
      await app.close();
    }
  });

  it("warns through the logger, not the console, when no secret is given", async () => {
    const { logger, lines } = capture();
    const app = createWeft({ views: { "/": Counter }, logger });
    await app.close();
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, "warn");
    assert.match(lines[0]!.msg, /no `secret` given/);
  });

  it("writes [weft] lines to the console by default", async () => {
    const seen: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void seen.push(args);
    try {
      const app = createWeft({ views: { "/": Counter } });
      await app.close();
    } finally {
      console.error = original;
    }
    assert.equal(seen.length, 1);
    assert.match(String(seen[0]![0]), /^\[weft\] no `secret` given/);
  });

  it("refuses a logger that lacks a method, naming it", () => {
    const at = () => {};
    assert.throws(() => createWeft({ views: { "/": Counter }, secret: "0123456789abcdef0123", logger: { info: at, warn: at, error: at } as unknown as Logger }),
      (e: Error) => e instanceof TypeError && /`logger` lacks debug\(\)/.test(e.message));
    assert.throws(() => createWeft({ views: { "/": Counter }, secret: "0123456789abcdef0123", logger: "pino" as unknown as Logger }),
      (e: Error) => e instanceof TypeError && /`logger` must be a logger object .* got a string/.test(e.message));
  });
});
