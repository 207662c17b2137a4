/**
 * The HTTP transport (long-poll): `GET PATHS.http?l=LINK&n=SEEN` waits for
 * server frames, `POST` of the same URL carries client frames and is answered
 * with the frames they caused. Every answer is one complete JSON response
 * `{"n": LAST, "f": [frames]}`, so it works through proxies that buffer whole
 * responses. The first poll carries the page's view token: the server makes
 * no link without one. See docs/transports.md.
 */
import { PATHS } from "../../protocol/messages.ts";
import { LinkSeq } from "./link-seq.ts";
import { farewell, newLinkId, opening, postChunk, request } from "./link.ts";
import { PostQueue } from "./post-queue.ts";
import { refuse } from "./refused.ts";
import { noop, type Transport } from "./types.ts";

/**
 * A poll that failed after waiting at least this long was held and then cut
 * (a proxy's read timeout: 504, or a reset connection), not refused: it is
 * sent again at once, so a proxy that cuts long requests (nginx's
 * `proxy_read_timeout` below the 25 s long-poll) costs no outage. A poll that
 * fails sooner ends the link.
 */
const HELD_MS = 1_000;

/** A poll or POST answer: frames up to link seq `n`. */
interface Answer {
  n: number;
  f: unknown[];
}

/**
 * HTTP long-poll transport. `onOpen` fires when the link's first poll (`n=0`,
 * answered at once with a hello) comes back; from then on one poll is always
 * in flight. Frames from polls and POST answers are handed on in link-seq
 * order, each once ({@link LinkSeq}).
 *
 * @example
 * const t = httpTransport(); // a new link: /weft/http?l=<20 chars>&n=…
 * t.onMessage = handle;
 * t.open();
 */
export function httpTransport(fallback = false, token?: string): Transport {
  const url = `${PATHS.http}?l=${newLinkId()}${fallback ? "&fb=1" : ""}&n=`;
  const seqs = new LinkSeq();
  const abort = new AbortController();
  let done = false;

  const poll = async (): Promise<void> => {
    for (let first = true; !done; first = false) {
      const id = seqs.sent();
      const since = Date.now();
      let answer: Answer;
      try {
        answer = await read(await request(url + seqs.seen, abort.signal, undefined, opening(first && token)));
      } catch (err) {
        // A first poll refused (a 403 for the view token, say) hands its code to the live socket.
        if (first || Date.now() - since < HELD_MS || !cut(err)) return fail((err as Error).message);
        // Nothing of a cut poll was taken: the next poll asks again from `seen`.
        answer = { n: 0, f: [] };
      }
      if (done) return;
      if (first) t.onOpen();
      apply(id, answer);
    }
  };

  const apply = (id: number, answer: Answer): void => {
    for (const frame of seqs.answered(id, answer.n, answer.f)) {
      if (done) return;
      t.onMessage(JSON.stringify(frame));
    }
    // Frames were lost on the way (see LinkSeq): a new link, where each view resumes from its own seq.
    if (seqs.broken) fail();
  };

  const fail = (code?: string): void => {
    if (done) return;
    t.close();
    t.onClose(code);
  };

  /** A frame refused by the server: handed on unless the link is closed. */
  const refused = (f: string) => done || t.onMessage(f);

  const out = new PostQueue(async (body, frames) => {
    const id = seqs.sent();
    const res = await request(url + seqs.seen, abort.signal, body, {}, (c, m) => refuse(frames, c, m, refused));
    // Refused frames (answered by refuse) cause nothing more: the request simply ends.
    apply(id, res === undefined ? { n: 0, f: [] } : await read(res));
  }, fail);

  const t: Transport = {
    name: "http",
    onOpen: noop,
    onMessage: noop,
    onClose: noop,
    open: () => void poll(),
    send: (frame) => out.push(frame),
    sendChunk: (v, ref, o, b) => postChunk(url + seqs.seen, abort.signal, v, ref, o, b, refused),
    farewell: (frames) => farewell(url + seqs.seen, frames),
    close() {
      done = true;
      out.close();
      abort.abort(); // the waiting poll would hold a connection for up to 25 s
    },
  };
  return t;
}

/** A request cut on its way (a network error, or a gateway's 502/504), not refused by Weft. */
function cut(err: unknown): boolean {
  return err instanceof TypeError || /^HTTP 50[24]$/.test((err as Error)?.message);
}

/** The answer's body; throws on anything else (a proxy's error page, a cut body). */
async function read(res: Response | undefined): Promise<Answer> {
  const a = (await res?.json()) as Partial<Answer> | undefined;
  if (typeof a?.n !== "number" || !Array.isArray(a.f)) throw Error("not a link answer");
  return a as Answer;
}
