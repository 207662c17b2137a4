/**
 * Uploads in the browser (docs/uploads.md): files picked on a
 * `<input type="file" weft-upload="NAME">` or dropped on a
 * `weft-drop-target="NAME"` become entries, each with a fresh ref; their
 * declaration goes like an event ({@link C.upload}); once it is answered their
 * chunks go — at once with the upload's `autoUpload`, else when the form that
 * holds the input is submitted (the submit event itself waits until every
 * entry of the form is done or failed).
 *
 * Chunks are slices of the File (never read whole): on WebSocket a binary
 * frame each, up to {@link WINDOW} unacknowledged; on SSE and HTTP one
 * octet-stream POST at a time. Each ack carries the bytes the server holds,
 * so a dropped link or a switch of transport costs nothing but the chunks in
 * flight: when the view's join is answered again, its entries resume from
 * their last acknowledged byte (the server acknowledges a chunk it already
 * has again and writes nothing).
 *
 * Invariants: an entry's `o` (bytes acknowledged) only grows and `s` (bytes
 * sent) is never below it; nothing is sent for an entry that is stopped
 * (refused, cancelled) or whose view is not joined on the live link; an
 * object URL lives while an element of the view shows its entry.
 */
import { ATTR, C, S, type Envelope, type UploadConfig } from "../protocol/messages.ts";
import { guard, reportError } from "./dom-events.ts";
import { morphExts } from "./dom-patch.ts";
import { newLinkId } from "./transports/link.ts";
import type { View } from "./view.ts";

/** Chunks in flight on WebSocket (one POST at a time on SSE and HTTP). */
const WINDOW = 4;

/**
 * What the uploads need of the page's connection (the live socket).
 *
 * @example
 * installUploads(socket);
 */
export interface UploadHost {
  /** True while a transport is open. */
  readonly open: boolean;
  /** The transport in use ("websocket", "sse", "http"). */
  readonly transportName: string | undefined;
  /** The view mounted on `root`. */
  viewOf(root: Element): View | undefined;
  /** Sends bytes `b` of entry `ref` of view `v`, starting at byte `o` of its file. */
  sendChunk(v: number, ref: string, o: number, b: Blob): void;
}

/** One file picked for an upload. */
interface Entry {
  /** The file. */
  f: File;
  v: View;
  /** The upload's name. */
  n: string;
  /** The ref. */
  r: string;
  /** The input or drop target it came from: gets the progress of its files (`g`). */
  i: Element;
  /** The entries picked with it. */
  g: Entry[];
  /** Bytes acknowledged. */
  o: number;
  /** Bytes sent. */
  s: number;
  /** Declared: the server answered the declaration. */
  d?: 1 | 0;
  /** Wanted: autoUpload, or its form was submitted. */
  w?: 1 | 0;
  /** Stopped with this code (refused, cancelled). */
  x?: string;
  /** Its object URL (a preview). */
  u?: string;
}

const P = ATTR.uploadProgress;
const CANCELLED = "E_UPLOAD_CANCELLED";
const NJ = "E_NOT_JOINED";
/** The entries by ref. */
const E = new Map<string, Entry>();
/** Each view's uploads, from its join answer (`u`). */
const cfgs = new WeakMap<View, Record<string, UploadConfig>>();
/** Submitted forms waiting for their entries, with the submit button. */
const W = new Map<HTMLFormElement, HTMLElement | null>();
let sock: UploadHost;

const settled = (e: Entry): unknown => e.x || e.o >= e.f.size;

/** The entries of form `f` still to finish. */
const pending = (f: HTMLFormElement): Entry[] => [...E.values()].filter((e) => !settled(e) && f.contains(e.i));

/** Whole per cent of the bytes of `l` acknowledged. */
const pc = (l: Entry[]): string => {
  let a = 0;
  let b = 0;
  for (const e of l) (a += e.o), (b += e.f.size);
  return `${b ? ((a * 100) / b) | 0 : 100}`;
};

/**
 * Sends chunks of the first entry that has some to send (entries go one after
 * another): on WebSocket up to {@link WINDOW} unacknowledged, else one.
 */
const pump = (): void => {
  for (const e of E.values()) {
    if (!e.d || !e.w || settled(e) || !e.v.isJoined) continue;
    const n = cfgs.get(e.v)![e.n]![0];
    while (sock.open && e.s < e.f.size && e.s - e.o < n * (sock.transportName == "websocket" ? WINDOW : 1)) {
      sock.sendChunk(e.v.id, e.r, e.s, e.f.slice(e.s, (e.s += n)));
    }
    return;
  }
};

/** An entry finished or stopped: a form waiting for it may be submitted now. */
const finish = (): void => {
  for (const [f, b] of W) if (!pending(f)[0]) W.delete(f), f.requestSubmit(b);
};

const stop = (e: Entry, code: string): void => {
  e.x = code;
  finish();
};

/** Sets the progress attributes of `e`'s input (its selection) and of the elements showing `e`. */
const show = (e: Entry): void => {
  e.i.setAttribute(P, pc(e.g));
  for (const el of e.v.root.querySelectorAll(`[${ATTR.uploadEntry}="${e.r}"]`)) el.setAttribute(P, pc([e]));
};

/** A patch added or updated `el`: its preview and progress, from the entry it shows. */
const dress = (el: Element): void => {
  let e = E.get(el.getAttribute(ATTR.uploadPreview)!);
  if (e && /^image\//.test(e.f.type)) (el as HTMLImageElement).src = e.u ||= URL.createObjectURL(e.f);
  e = E.get(el.getAttribute(ATTR.uploadEntry)!);
  if (e) el.setAttribute(P, pc([e]));
};

/** Declares `files` for upload `n` of the view around `el` (an input or a drop target). */
const pick = (el: Element, n: string | null, files: FileList | null | undefined): void => {
  const root = el.closest(`[${ATTR.view}]`);
  const v = root && sock.viewOf(root);
  if (!v || !n || !files?.length) return;
  const g: Entry[] = [];
  for (const f of Array.from(files)) g.push({ f, v, n, r: newLinkId(), i: el, g, o: 0, s: 0 });
  const ref = v.push(n, g.map((e) => [e.r, e.f.name, e.f.type, e.f.size]), [], undefined, undefined, C.upload);
  // Refused before sending (too many names for one frame, the view down for good): reported by the view.
  if (typeof ref == "string") return;
  for (const e of g) E.set(e.r, e);
  v.replies.set(ref, [
    () => {
      const c = cfgs.get(v)?.[n];
      for (const e of g) {
        e.d = 1;
        e.w ||= c?.[1];
        // Over maxBytes: the server shows its error in the entry, and would take no byte.
        if (!c || e.f.size > c[2]) stop(e, c ? "E_UPLOAD_TOO_LARGE" : "E_UPLOAD_UNKNOWN");
      }
      pump();
    },
    // Refused (reported by the view), or the view died.
    (err) => g.forEach((e) => stop(e, (err as Error & { code: string }).code)),
  ]);
};

/**
 * The server acknowledged a chunk (`d` of {@link S.uploadAck}: `[ref,
 * bytesReceived]`, or `[ref, bytesReceived, code]` when it refused it).
 *
 * @example
 * acked(["q5mF0Jm3tUeZ2c8xR1o9", 65536]);
 */
export function acked(d: unknown): void {
  const [r, n, c] = d as [string, number, string?];
  const e = E.get(r);
  if (!e || e.x) return;
  // The view is not joined on this link (the server says so): the rejoin that follows resumes the entry.
  if (c == NJ) e.v.receive({ t: S.error, c });
  else if (c) {
    stop(e, c);
    reportError(e.v.root, c, undefined, undefined, e.v.id);
  } else {
    if (n > e.o) e.o = +n;
    if (e.s < e.o) e.s = e.o;
    show(e);
    if (settled(e)) finish();
  }
  pump();
}

/**
 * After view `v` applied message `m`: keeps the upload settings of a join
 * answer, resumes its entries from their last acknowledged byte when the
 * view is joined again, and forgets the previews (and finished entries) the
 * view no longer shows.
 *
 * @example
 * uploadsAfter(view, msg); // at the end of View.receive
 */
export function uploadsAfter(v: View, m: Envelope): void {
  if (m.u) cfgs.set(v, m.u);
  for (const [r, e] of E) {
    if (e.v != v) continue;
    if (m.k) e.s = e.o;
    if (!v.root.querySelector(`[${ATTR.uploadPreview}="${r}"],[${ATTR.uploadEntry}="${r}"],[${ATTR.uploadCancel}="${r}"]`)) {
      if (e.u) URL.revokeObjectURL(e.u);
      e.u = "";
      if (settled(e)) E.delete(r);
    }
  }
  if (m.k) pump();
}

/**
 * Installs the upload listeners (change, drop, cancel clicks, submit) on the
 * document and the morph extension that keeps previews and progress.
 *
 * @example
 * installUploads(socket);
 */
export function installUploads(host: UploadHost): void {
  sock = host;
  const on = (type: string, fn: (e: Event) => void, capture?: boolean): void => document.addEventListener(type, guard(fn), capture);
  const at = (e: Event, a: string): Element | null | undefined => (e.target as Element).closest?.(`[${a}]`);
  morphExts.push({
    added: dress,
    updating(from, to) {
      dress(to);
      const p = from.getAttribute(P);
      if (p && !to.hasAttribute(P)) to.setAttribute(P, p);
    },
  });
  on("change", (e) => {
    const i = e.target as HTMLInputElement;
    if (!i.hasAttribute?.(ATTR.upload)) return;
    pick(i, i.getAttribute(ATTR.upload), i.files);
    // The browser keeps the files (the entries hold them); picking the same file again is a change again.
    i.value = "";
  });
  on("dragover", (e) => at(e, ATTR.dropTarget) && e.preventDefault());
  on("drop", (e) => {
    const t = at(e, ATTR.dropTarget);
    if (!t) return;
    e.preventDefault();
    pick(t, t.getAttribute(ATTR.dropTarget), (e as DragEvent).dataTransfer?.files);
  });
  on("click", (e) => {
    const r = at(e, ATTR.uploadCancel)?.getAttribute(ATTR.uploadCancel);
    const x = r && E.get(r);
    // A failed entry too: the server keeps it, with its error, until it is cancelled.
    if (!x || x.x == CANCELLED) return;
    stop(x, CANCELLED);
    x.v.push(x.n, r, [], undefined, undefined, C.uploadCancel);
    pump();
  });
  // Capture: before the bindings' submit, which it holds back while entries of the form are unfinished.
  on("submit", (e) => {
    const f = e.target as HTMLFormElement;
    const p = pending(f);
    if (!p[0]) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    W.set(f, (e as SubmitEvent).submitter);
    for (const x of p) x.w = 1;
    pump();
  }, true);
}
