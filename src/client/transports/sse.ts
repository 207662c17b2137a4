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
 * const t = new SseTransport(); // a new link: /weft/sse?l=<20 chars>
 * t.onOpen = () => t.send(JSON.stringify({ t: "h" }));
 * t.open();
 */
export class SseTransport implements Transport {
  readonly name = "sse";
  onOpen = noop;
  onMessage: (frame: string) => void = noop;
  onClose: (code?: string) => void = noop;
  private readonly url: string;
  private readonly abort = new AbortController();
  private readonly out = new PostQueue((body, frames) => request(this.url, this.abort.signal, body, {}, (c, m) => refuse(frames, c, m, (f) => this.done || this.onMessage(f))), () => this.fail());
  private es: EventSource | undefined;
  private opened = false;
  private done = false;
  private stall: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param fallback opened because a better transport failed: the link says so (`fb=1`), the server counts it once a view joins.
   * @param token a view token of the page: the link's opening POST carries it.
   */
  constructor(fallback = false, private readonly token?: string) {
    this.url = `${PATHS.sse}?l=${newLinkId()}${fallback ? "&fb=1" : ""}`;
  }

  open(): void {
    if (typeof EventSource !== "function") {
      setTimeout(() => this.fail(), 0);
      return;
    }
    // The opening POST makes the link (and sets its cookie); then the stream.
    // (Were its `[]` refused as frames, the stream would find no link and fail.)
    // A refusal of the link (a 403 for the view token, say) hands its code to the live socket.
    request(this.url, this.abort.signal, "[]", opening(this.token)).then(
      () => this.stream(),
      (e: Error) => this.fail(e.message),
    );
  }

  private stream(): void {
    if (this.done) return;
    const es = new EventSource(this.url);
    this.es = es;
    es.onmessage = (e: MessageEvent) => {
      clearTimeout(this.stall);
      this.stall = undefined;
      if (!this.opened) {
        this.opened = true;
        this.onOpen(); // the hello: the link's first event, with no id
      } else if (typeof e.data === "string") this.onMessage(e.data);
    };
    es.onerror = () => {
      // CLOSED: the browser gave up (a 410 on resume, a 403 from a proxy, not
      // text/event-stream). Before the hello: the stream does not work here.
      if (!this.opened || es.readyState === EventSource.CLOSED) return this.fail();
      // CONNECTING: EventSource retries with Last-Event-ID; the link replays what was missed.
      this.stall ??= setTimeout(() => this.fail(), RESUME_MS);
    };
  }

  send(frame: string): void {
    this.out.push(frame);
  }

  sendChunk(v: number, ref: string, o: number, b: Blob): void {
    postChunk(this.url, this.abort.signal, v, ref, o, b, (f) => this.done || this.onMessage(f));
  }

  farewell(frames: readonly string[]): void {
    farewell(this.url, frames);
  }

  close(): void {
    this.done = true;
    clearTimeout(this.stall);
    this.out.close();
    this.abort.abort();
    if (this.es !== undefined) this.es.onmessage = this.es.onerror = null;
    this.es?.close();
  }

  private fail(code?: string): void {
    if (this.done) return;
    this.close();
    this.onClose(code);
  }
}
