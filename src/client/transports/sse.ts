/**
 * The SSE transport: an EventSource on `GET PATHS.sse?l=LINK` brings server
 * frames (each event's `id:` is its link seq, so the browser's own reconnect
 * resumes with Last-Event-ID); client frames are POSTed to the same URL as JSON
 * arrays. The link opens with a POST that carries the page's view token
 * (EventSource cannot send headers, and the server makes no link without
 * one); the stream follows. See docs/transports.md.
 */
import { PATHS } from "../../protocol/messages.ts";
import { farewell, newLinkId, opening, postChunk, request } from "./link.ts";
import { PostQueue } from "./post-queue.ts";
import { refuse } from "./refused.ts";
import { noop, type Transport } from "./types.ts";

/** EventSource is reconnecting by itself: if it is not back by then, give up the link. */
const RESUME_MS = 5_000;

/**
 * SSE transport. `onOpen` fires on the stream's first event — the server's
 * hello — not on EventSource's `open`: a proxy that buffers the stream lets the
 * response start but holds its events, and only an event proves they get
 * through.
 *
 * @example
 * const t = sseTransport(); // a new link: /weft/sse?l=<20 chars>
 * t.onOpen = () => t.send(JSON.stringify({ t: "h" }));
 * t.open();
 */
export function sseTransport(fallback = false, token?: string): Transport {
  const url = `${PATHS.sse}?l=${newLinkId()}${fallback ? "&fb=1" : ""}`;
  const abort = new AbortController();
  let es: EventSource | undefined;
  let opened = false;
  let done = false;
  let stall: ReturnType<typeof setTimeout> | undefined;

  const fail = (code?: string): void => {
    if (done) return;
    t.close();
    t.onClose(code);
  };

  /** A frame refused by the server: handed on unless the link is closed. */
  const refused = (f: string) => done || t.onMessage(f);

  const out = new PostQueue((body, frames) => request(url, abort.signal, body, {}, (c, m) => refuse(frames, c, m, refused)), fail);

  const stream = (): void => {
    if (done) return;
    const e = (es = new EventSource(url));
    e.onmessage = (m: MessageEvent) => {
      clearTimeout(stall);
      stall = undefined;
      if (!opened) {
        opened = true;
        t.onOpen(); // the hello: the link's first event, with no id
      } else if (typeof m.data === "string") t.onMessage(m.data);
    };
    e.onerror = () => {
      // CLOSED: the browser gave up (a 410 on resume, a 403 from a proxy, not
      // text/event-stream). Before the hello: the stream does not work here.
      if (!opened || e.readyState === EventSource.CLOSED) return fail();
      // CONNECTING: EventSource retries with Last-Event-ID; the link replays what was missed.
      stall ??= setTimeout(fail, RESUME_MS);
    };
  };

  const t: Transport = {
    name: "sse",
    onOpen: noop,
    onMessage: noop,
    onClose: noop,
    open() {
      if (typeof EventSource !== "function") {
        setTimeout(fail, 0);
        return;
      }
      // The opening POST makes the link (and sets its cookie); then the stream.
      // (Were its `[]` refused as frames, the stream would find no link and fail.)
      // A refusal of the link (a 403 for the view token, say) hands its code to the live socket.
      request(url, abort.signal, "[]", opening(token)).then(stream, (e: Error) => fail(e.message));
    },
    send: (frame) => out.push(frame),
    sendChunk: (v, ref, o, b) => postChunk(url, abort.signal, v, ref, o, b, refused),
    farewell: (frames) => farewell(url, frames),
    close() {
      done = true;
      clearTimeout(stall);
      out.close();
      abort.abort();
      if (es !== undefined) es.onmessage = es.onerror = null;
      es?.close();
    },
  };
  return t;
}
