/**
 * The VICTIM: an honest client on each transport, joined to /counter and
 * brought to count 3 before the attack. Attackers know its view id, its
 * session id (from its token's readable claims) and its SSE/HTTP link id; they
 * must not be able to touch it. Afterwards it still has exactly its state and
 * has received no frame it did not cause.
 *
 * @example
 * const victim = await Victim.open(base, "http");
 * // … attack …
 * assert.equal(await victim.check(), undefined);
 */
import { kindOf, S, type Envelope } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { HttpWire, SseWire } from "../support/wires.ts";
import { claimsOf } from "./tokens.ts";
import type { Transport } from "./report.ts";

/** The victim's view id on its own link. Attackers send frames for it on theirs. */
export const VICTIM_VIEW = 7;
/** The victim's count between checks. */
export const VICTIM_COUNT = 3;

const ANSWER_TIMEOUT_MS = 10_000;

/** One honest client link with a /counter at count 3; see the module comment. */
export class Victim {
  private constructor(readonly transport: Transport, readonly client: ProtocolClient, readonly token: string) {}

  /** Connects, joins /counter as view {@link VICTIM_VIEW} and clicks + three times. */
  static async open(base: string, transport: Transport): Promise<Victim> {
    const page = await getPage(base, "/counter");
    const client = await ProtocolClient.connect(base, {}, transport);
    const joined = await client.join(VICTIM_VIEW, page.token);
    if (joined.t !== S.rendered) throw new Error(`the victim over ${transport} could not join: ${JSON.stringify(joined)}`);
    for (let i = 0; i < VICTIM_COUNT; i++) await client.event(VICTIM_VIEW, "inc");
    const v = new Victim(transport, client, page.token);
    if (!v.html().includes(`Count: <b>${VICTIM_COUNT}</b>`)) throw new Error(`the victim over ${transport} did not reach count ${VICTIM_COUNT}: ${v.html()}`);
    return v;
  }

  /** The victim's session id (token claims are signed, not secret). */
  get sid(): string {
    return String(claimsOf(this.token).sid);
  }

  /** The victim's link id over SSE and HTTP. */
  get linkId(): string | undefined {
    const w = this.client.wire;
    return w instanceof SseWire || w instanceof HttpWire ? new URL(w.url).searchParams.get("l") ?? undefined : undefined;
  }

  html(): string {
    return this.client.views.get(VICTIM_VIEW)?.html() ?? "";
  }

  /**
   * Checks the victim is untouched: its link is open, it received nothing it
   * did not cause, + shows 4, and -1 brings it back to 3. Returns the problem, if any.
   */
  async check(): Promise<string | undefined> {
    if (this.client.closed) return "the victim's link was closed";
    const before = this.unsolicited();
    if (before !== undefined) return before;
    try {
      const inc = await withTimeout(this.client.event(VICTIM_VIEW, "inc"));
      const wrong = expectCount(inc, VICTIM_COUNT + 1) ?? expectCount(await withTimeout(this.client.event(VICTIM_VIEW, "add", { by: -1 })), VICTIM_COUNT);
      if (wrong !== undefined) return wrong;
    } catch (err) {
      return `the victim's event got no answer: ${(err as Error).message}`;
    }
    if (!this.html().includes(`Count: <b>${VICTIM_COUNT}</b>`)) return `the victim's view shows ${this.html()}`;
    return this.unsolicited();
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private unsolicited(): string | undefined {
    const got = this.client.received.splice(0);
    return got.length === 0 ? undefined : `the victim received ${got.length} frame(s) it did not cause: ${JSON.stringify(got.slice(0, 3)).slice(0, 400)}`;
  }
}

function expectCount(m: Envelope, count: number): string | undefined {
  const ok = kindOf(m) === S.diff && JSON.stringify(m.d) === JSON.stringify({ 0: String(count) });
  return ok ? undefined : `the victim expected a diff to ${count} and got ${JSON.stringify(m).slice(0, 300)}`;
}

/** A fresh client can still load /counter, join it and click +. Returns the problem, if any. */
export async function freshClientWorks(base: string, transport: Transport): Promise<string | undefined> {
  let client: ProtocolClient | undefined;
  try {
    const page = await getPage(base, "/counter");
    if (page.status !== 200 || page.token === "") return `GET /counter answered ${page.status}`;
    client = await withTimeout(ProtocolClient.connect(base, {}, transport));
    const joined = await withTimeout(client.join(1, page.token));
    if (joined.t !== S.rendered) return `a fresh join over ${transport} was answered ${JSON.stringify(joined).slice(0, 200)}`;
    return expectCount(await withTimeout(client.event(1, "inc")), 1);
  } catch (err) {
    return `a fresh client over ${transport} failed: ${(err as Error).message}`;
  } finally {
    await client?.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms = ANSWER_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
