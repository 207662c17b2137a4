/**
 * Delivers one input to the running app and checks the answer: a WebSocket
 * frame (with a heartbeat round trip every few frames, so a socket the server
 * stopped reading is caught), a POST body on an attacker's own link, a fetch
 * built from link ids and cookies known only now, or raw bytes on a socket.
 * Every wait is bounded; what breaks a rule goes into the report.
 *
 * @example
 * await deliver(arena, { transport: "http", input }, 17);
 */
import { randomBytes } from "node:crypto";
import { PATHS } from "../../src/protocol/messages.ts";
import { newLinkId } from "../support/wires.ts";
import type { Attacker } from "./attacker.ts";
import { checkFrame, checkResponse, clip, type ResponseVerdict } from "./checks.ts";
import { rawRequest } from "./raw-http.ts";
import type { FrameInput } from "./frame-inputs.ts";
import type { FuzzInput } from "./inputs.ts";
import type { FuzzReport, Transport } from "./report.ts";
import type { BodyInput, FetchInput, RawInput } from "./request-inputs.ts";
import type { Victim } from "./victim.ts";

/** What delivering needs from the run. */
export interface Arena {
  readonly base: string;
  readonly report: FuzzReport;
  /** A live attacker over `transport` (replaced when the server ended the last one). */
  attacker(transport: Transport, slot: number): Promise<Attacker>;
  readonly victims: Partial<Record<Transport, Victim>>;
  /** Bound on each request and on each heartbeat round trip, ms. */
  readonly timeoutMs: number;
}

/** WebSocket frames sent between two heartbeat round trips on one attacker. */
const ROUND_TRIP_EVERY = 32;
/** A raw request gets this long to be answered, ms. */
const RAW_TIMEOUT_MS = 2_000;

/**
 * Delivers one input and checks what comes back; never throws.
 * @example await deliver(arena, { transport: "websocket", input: { via: "frame", kind: "bytes", data: Buffer.from([0xff]), binary: true } }, 0);
 */
export async function deliver(arena: Arena, item: FuzzInput, index: number): Promise<void> {
  const { transport, input } = item;
  const fail = (problem: string) => arena.report.fail({ transport, kind: input.kind, index, problem, input: describe(input) });
  const started = Date.now();
  try {
    if (input.via === "frame") await frame(arena, transport, input, index, fail);
    else if (input.via === "body") await body(arena, transport, input, index, fail);
    else if (input.via === "fetch") await fetchOne(arena, transport, input, index, fail);
    else await raw(arena, input, fail);
  } catch (err) {
    const e = err as Error;
    fail(e.name === "TimeoutError" || e.name === "AbortError" ? `no answer within ${arena.timeoutMs} ms (a hang)` : `the request failed: ${e.message}${causeOf(e)}`);
  }
  arena.report.took(`${transport}/${input.kind}`, Date.now() - started);
}

async function frame(arena: Arena, transport: Transport, input: FrameInput, index: number, fail: (p: string) => void): Promise<void> {
  const a = await arena.attacker(transport, index);
  if (!(await a.sendFrame(input.data, input.binary))) return;
  if (a.unconfirmed < ROUND_TRIP_EVERY) return;
  if ((await a.roundTrip(arena.timeoutMs)) === undefined) fail(`the socket stays open but no heartbeat answer came within ${arena.timeoutMs} ms`);
}

async function body(arena: Arena, transport: Transport, input: BodyInput, index: number, fail: (p: string) => void): Promise<void> {
  const a = await arena.attacker(transport, index);
  const res = await a.post(input.body, input.contentType, input.chunked, arena.timeoutMs);
  const v = await checkResponse(res, {});
  record(arena, transport, v, fail);
  if (v.label === "404 E_UNKNOWN_LINK") a.dead = true; // the server forgot this attacker's link: use a new one
  else if (v.text !== undefined) a.accept(v.text);
}

async function fetchOne(arena: Arena, transport: Transport, input: FetchInput, index: number, fail: (p: string) => void): Promise<void> {
  const a = await arena.attacker(transport, index);
  const headers: Record<string, string> = { ...input.headers };
  const cookie = input.cookie === "own" ? a.cookie : input.cookie === "forged" ? forge(a.cookie) : "";
  if (cookie !== "") headers.cookie = cookie;
  if (input.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(urlOf(arena, transport, input, a), {
    method: input.method, headers, body: input.body, redirect: "manual", signal: AbortSignal.timeout(arena.timeoutMs),
  });
  const v = await checkResponse(res, { head: input.method === "HEAD", expect: input.expect });
  record(arena, transport, v, fail);
  for (const f of v.frames) {
    const fv = checkFrame(f);
    if (fv.code !== undefined) arena.report.bump(arena.report.frameCodes, fv.code);
    if (fv.problem !== undefined) fail(fv.problem);
  }
}

function urlOf(arena: Arena, transport: Transport, input: FetchInput, a: Attacker): string {
  if (typeof input.path === "object") return arena.base + input.path.page;
  const link = input.link === "own" ? a.linkId : input.link === "victim" ? arena.victims[transport]?.linkId : input.link === "fresh" ? newLinkId() : input.link.literal;
  const q = new URLSearchParams({ l: link ?? "" });
  if (input.n !== undefined) q.set("n", input.n);
  for (const [k, v] of Object.entries(input.query)) q.set(k, v);
  return `${arena.base}${input.path === "sse" ? PATHS.sse : PATHS.http}?${q}`;
}

/** The attacker's link cookie with another (well-formed) value: someone else's browser. */
function forge(cookie: string): string {
  const name = cookie.split("=")[0] || "weft_link";
  return `${name}=${randomBytes(16).toString("base64url")}`;
}

function record(arena: Arena, transport: Transport, v: ResponseVerdict, fail: (p: string) => void): void {
  arena.report.bump(arena.report.answers, `${transport} ${v.label}`);
  if (v.problem !== undefined) fail(v.problem);
}

/** Raw bytes on a fresh socket: any answer but a 5xx, within the time limit, with a registered code if it is JSON. */
async function raw(arena: Arena, input: RawInput, fail: (p: string) => void): Promise<void> {
  const r = await rawRequest(arena.base, input.request, RAW_TIMEOUT_MS);
  if (r.status === undefined) return fail(r.text === "" ? `no answer within ${RAW_TIMEOUT_MS} ms` : `an answer that is not HTTP: ${clip(JSON.stringify(r.text))}`);
  arena.report.bump(arena.report.answers, `raw ${r.status}${r.code === undefined ? "" : ` ${r.code}`}`);
  if (Number(r.status) >= 500) fail(`answered ${r.status}: ${clip(JSON.stringify(r.text))}`);
  else if (r.code !== undefined && checkFrame({ t: "x", c: r.code }).code === undefined) fail(`answered with an unregistered code ${r.code}`);
}

function describe(input: FuzzInput["input"]): string {
  switch (input.via) {
    case "frame": return `${input.binary ? "binary " : ""}frame ${clip(input.data)}`;
    case "body": return `POST own link, content-type ${String(input.contentType)}${input.chunked ? ", chunked" : ""}: ${clip(input.body)}`;
    case "fetch": return `${input.method} ${typeof input.path === "object" ? input.path.page : input.path} link=${typeof input.link === "object" ? JSON.stringify(input.link.literal) : input.link} cookie=${input.cookie} n=${String(input.n)} headers=${JSON.stringify(input.headers)} query=${JSON.stringify(input.query)} body=${clip(input.body ?? "")}`;
    case "raw": return JSON.stringify(input.request);
  }
}

function causeOf(e: Error): string {
  const c = (e as { cause?: { message?: string; code?: string } }).cause;
  return c === undefined ? "" : ` (${c.code ?? ""} ${c.message ?? ""})`;
}
