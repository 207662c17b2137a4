/**
 * Debug tracing (`debug: true` or WEFT_DEBUG=1): every frame a link receives
 * and sends is logged at the `debug` level with its session id, view path,
 * transport, view id and event ref — the server's counterpart of the
 * browser's `window.weftDebug`. Made only when debug is on: with it off, the
 * hot path pays one `undefined` check per frame received and nothing per
 * frame sent (the link is not wrapped).
 *
 * View tokens (`k`, in joins and join answers) are credentials: they are
 * replaced by "[token]" in what is logged. A frame's text is cut at
 * {@link MAX_LOGGED_FRAME} characters.
 */
import { C, S, type Envelope } from "../protocol/messages.ts";
import type { Link } from "./connection.ts";
import type { Logger } from "./logger.ts";
import type { TokenSigner } from "./security/token.ts";

/** Characters of a frame's text kept in a log line. */
export const MAX_LOGGED_FRAME = 2048;

const IN_KINDS = names(C);
const OUT_KINDS = names(S);

/** The fields of one logged frame. */
export type FrameFields = {
  readonly dir: "in" | "out";
  readonly transport: string;
  /** Session id, once the view id has joined on this link (undefined before). */
  readonly sid: string | undefined;
  /** The view's path pattern (e.g. "/rooms/:id"), once joined. */
  readonly view: string | undefined;
  /** The view id on the page. */
  readonly v: number | undefined;
  /** The event ref (an event, or the reply or error that answers it). */
  readonly ref: number | undefined;
  /** Message kind by name: join, event, ack, leave, heartbeat; rendered, diff, push, nav, error, reply … */
  readonly kind: string;
  /** The frame, tokens redacted, cut at MAX_LOGGED_FRAME characters. */
  readonly frame: string;
};

/** Logs the frames of one link. */
export class FrameTrace {
  /** What each view id on this link joined as (from its join token). */
  private readonly joined = new Map<number, { sid: string; view: string }>();

  constructor(private readonly logger: Logger, private readonly signer: TokenSigner, private readonly transport: string) {}

  /** Logs a frame received (already parsed). */
  in(msg: unknown): void {
    const env = (typeof msg === "object" && msg !== null ? msg : {}) as Envelope;
    if (env.t === C.join && typeof env.v === "number") this.learn(env.v, (env.d as { k?: unknown } | undefined)?.k);
    this.logger.debug(this.fields("in", env, IN_KINDS), "frame in");
  }

  /** `link`, with every frame sent through it logged first. */
  wrap(link: Link): Link {
    const send = (frame: string, env?: Envelope): void => {
      this.out(frame, env);
      link.send(frame, env);
    };
    const packed = link.sendEnvelope;
    // A MessagePack link keeps taking envelopes (no JSON is made for it), logged the same.
    const sendEnvelope = packed === undefined ? undefined : (env: Envelope): void => {
      this.out("", env);
      packed.call(link, env);
    };
    return { kind: link.kind, send, sendEnvelope, close: (code, reason) => link.close(code, reason) };
  }

  private out(frame: string, env: Envelope | undefined): void {
    let e = env;
    if (e === undefined) {
      try {
        e = JSON.parse(frame) as Envelope;
      } catch {
        e = {};
      }
    }
    this.logger.debug(this.fields("out", e, OUT_KINDS), "frame out");
  }

  private learn(v: number, token: unknown): void {
    const claims = this.signer.verify(token);
    if (typeof claims === "string") this.joined.delete(v);
    else this.joined.set(v, { sid: claims.sid, view: claims.view });
  }

  private fields(dir: "in" | "out", env: Envelope, kinds: Record<string, string>): FrameFields {
    const v = typeof env.v === "number" ? env.v : undefined;
    const at = v === undefined ? undefined : this.joined.get(v);
    return {
      dir, transport: this.transport, sid: at?.sid, view: at?.view, v,
      ref: typeof env.r === "number" ? env.r : undefined,
      kind: env.t === undefined ? (dir === "out" ? "diff" : "none") : (kinds[env.t] ?? String(env.t)),
      frame: redacted(env),
    };
  }
}

/** The envelope as JSON with its token replaced, cut to MAX_LOGGED_FRAME characters. */
function redacted(env: Envelope): string {
  const copy: Record<string, unknown> = { ...env };
  if (copy.k !== undefined) copy.k = "[token]";
  const d = copy.d as { k?: unknown } | undefined;
  if (copy.t === C.join && typeof d === "object" && d !== null && d.k !== undefined) copy.d = { ...d, k: "[token]" };
  let text: string;
  try {
    text = JSON.stringify(copy);
  } catch {
    text = "[unserialisable]";
  }
  return text.length > MAX_LOGGED_FRAME ? `${text.slice(0, MAX_LOGGED_FRAME)}…` : text;
}

/** Kind letter → name, from a kinds table ({ join: "j" } → { j: "join" }). */
function names(table: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(table).map(([name, letter]) => [letter, name]));
}
