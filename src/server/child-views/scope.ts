/**
 * A parent's child table, and the render frame that fills it. A render that
 * meets `liveView()` (render-tree.ts calls {@link childHole}) gets the
 * child's root element: the same child (same id and view) keeps its session,
 * its token and so its root; a new one gets a fresh session id and token,
 * minted here by the server (a client never names a child). When the render
 * commits, children it no longer has end; when it throws, children it added
 * are forgotten and the table is as before.
 *
 * Invariant: renders are synchronous, so one module-level frame (saved and
 * restored around each render) says whose render is running.
 */
import { ATTR } from "../../protocol/messages.ts";
import type { TemplateNode } from "../../protocol/messages.ts";
import { escapeHtml } from "../template/escape.ts";
import type { Template } from "../template/html.ts";
import { renderTree } from "../template/render-tree.ts";
import type { SessionData } from "../view.ts";
import { ChildViewError, type LiveViewRef } from "./live-view.ts";

/** A child as a snapshot keeps it (plain JSON): what a parent moved to another node needs to keep its children. */
export interface ChildRecord {
  /** The id the parent's render gives it. */
  readonly id: string;
  /** Its session id. */
  readonly sid: string;
  /** Its view's registered path. */
  readonly path: string;
  /** The token its root carries (minted once: the parent's re-renders keep the root as it is). */
  readonly token: string;
}

/** A child in its parent's table. */
export interface ChildEntry extends ChildRecord {
  /** The child's first render, inline in the page (a child that appears in a live render joins empty). */
  html?: string;
  /** The child's session data (the page's and its `session` option's), while its page mounts it. */
  data?: SessionData;
  /** Added by the render in progress: forgotten if that render throws. */
  fresh?: boolean;
  /**
   * Rendered inside a component: a view's render may carry that component
   * unchanged without rendering it (components/host.ts), so not meeting the
   * child there says nothing. Such a child ends when its root leaves the page
   * (the browser's leave) or its parent ends, not by the parent's render.
   */
  sticky?: boolean;
}

/** What the table needs from the app (child-views/hub.ts). */
export interface ChildMinter {
  /** A new child of `parent` for `ref`: a session id and a signed token. Throws ChildViewError for a view the app does not register. */
  mint(parent: ChildParent, ref: LiveViewRef): ChildEntry;
  /** The child left the parent's render (or a render that made it failed): its session ends. */
  end(entry: ChildEntry, committed: boolean): void;
}

/** A session (or a page's mount) whose render may embed children. */
export interface ChildParent {
  readonly sid: string;
  readonly path: string;
  readonly ctx: { readonly session: SessionData };
  /** The child table, made by the first render that embeds a child. */
  children: ChildScope | undefined;
  /** The app's minter; undefined where children cannot run (the test kit). */
  readonly childHub: ChildMinter | undefined;
}

/** One parent's children, by id and view path. */
export class ChildScope {
  private readonly entries = new Map<string, ChildEntry>();

  constructor(private readonly minter: ChildMinter, records: readonly ChildRecord[] = []) {
    for (const r of records) this.entries.set(keyOf(r.id, r.path), { id: r.id, sid: r.sid, path: r.path, token: r.token });
  }

  /** The entry for `ref`: the child already there, or a new one. */
  use(parent: ChildParent, ref: LiveViewRef, path: string): ChildEntry {
    const key = keyOf(ref.id, path);
    let e = this.entries.get(key);
    if (e === undefined) {
      e = this.minter.mint(parent, ref);
      e.fresh = true;
      this.entries.set(key, e);
    }
    return e;
  }

  /** The render committed with `used` (id → entry): the others end, unless the render was `partial`. */
  commit(used: ReadonlyMap<string, ChildEntry> | undefined, partial = false): void {
    for (const [key, e] of this.entries) {
      e.fresh = undefined;
      if (partial || e.sticky === true || used?.get(e.id) === e) continue;
      this.entries.delete(key);
      this.minter.end(e, true);
    }
  }

  /** The render threw: children it made are forgotten (never rendered, never joined). */
  rollback(): void {
    for (const [key, e] of this.entries) {
      if (e.fresh !== true) continue;
      this.entries.delete(key);
      this.minter.end(e, false);
    }
  }

  /** Every child (the parent ends: so do they). */
  all(): ChildEntry[] {
    return [...this.entries.values()];
  }

  /** The table as a snapshot keeps it. */
  records(): ChildRecord[] {
    return this.all().map(({ id, sid, path, token }) => ({ id, sid, path, token }));
  }

  /** Ends every child (the parent's session ended) and empties the table. */
  endAll(): void {
    const all = this.all();
    this.entries.clear();
    for (const e of all) this.minter.end(e, true);
  }
}

function keyOf(id: string, path: string): string {
  return `${id}\n${path}`;
}

/** Whose render runs, and the children it has met so far (by id). */
let parent: ChildParent | undefined;
/** Components being rendered around the hole (render-tree.ts counts them), and whether the render is partial. */
let inComponents = 0;
let partialRender = false;
let used: Map<string, ChildEntry> | undefined;
let dupes: string[] | undefined;

/**
 * Runs a render of `owner` (undefined: a render that may not embed children):
 * on success the child table keeps exactly the children it met; on a throw
 * (or duplicate ids, which throw here) it is left as it was. A `partial`
 * render (one component of the view re-rendering alone) adds the children it
 * meets and ends none: the view's next full render decides.
 */
export function renderWithChildren<T>(owner: ChildParent | undefined, render: () => T, partial = false): T {
  return inChildFrame(owner, call, render, partial);
}

/**
 * {@link renderWithChildren} of a whole template, without a closure: the
 * hot path's render (every event's) pays a few variable writes for it.
 */
export function renderTreeWithChildren(owner: ChildParent | undefined, t: Template): TemplateNode {
  return inChildFrame(owner, renderTree, t, false);
}

/** Calls `f`: the frame's runner for a render given as a closure. */
const call = <T>(f: () => T): T => f();

/**
 * The child-view frame of both renders above: `run(arg)` with `owner` as the
 * render's parent, the outer frame restored after. A function and its argument
 * rather than a closure, so that the hot path allocates nothing for it.
 */
function inChildFrame<A, T>(owner: ChildParent | undefined, run: (arg: A) => T, arg: A, partial: boolean): T {
  const outer = parent, outerUsed = used, outerDupes = dupes, outerPartial = partialRender;
  parent = owner;
  used = undefined;
  dupes = undefined;
  partialRender = partial;
  try {
    const out = run(arg);
    settle(owner, partial);
    return out;
  } catch (err) {
    owner?.children?.rollback();
    throw err;
  } finally {
    parent = outer;
    used = outerUsed;
    dupes = outerDupes;
    partialRender = outerPartial;
  }
}

/** A render ended without throwing: duplicate ids fail it; else the table keeps what it met. */
function settle(owner: ChildParent | undefined, partial: boolean): void {
  const twice = dupes as string[] | undefined;
  if (twice !== undefined) throw new ChildViewError(`the render of ${owner!.path} has several child views with the id ${twice.map((d) => JSON.stringify(d)).join(", ")}; each child's id must be unique`);
  owner?.children?.commit(used, partial);
}

/** Set by hub.ts: a child view's registered path (throws ChildViewError for an unregistered view). */
export type PathOf = (ref: LiveViewRef) => string;

/**
 * The HTML of a `liveView()` hole: the child's root element with its token,
 * and its first render when the page mounted it.
 */
export function childHole(ref: LiveViewRef): string {
  const owner = parent;
  const hub = owner?.childHub as (ChildMinter & { pathOf: PathOf }) | undefined;
  if (owner === undefined || hub === undefined) {
    throw new ChildViewError(`liveView "${ref.id}" is rendered outside a live view (a child view needs a parent session; the test kit's mountView renders none)`);
  }
  if (used?.has(ref.id) === true) {
    if (!dupes?.includes(ref.id)) (dupes ??= []).push(ref.id);
    return "";
  }
  const path = hub.pathOf(ref);
  const e = (owner.children ??= new ChildScope(hub)).use(owner, ref, path);
  if (inComponents > 0 || partialRender) e.sticky = true;
  (used ??= new Map()).set(ref.id, e);
  return `<div id="${e.id}" ${ATTR.view}="${escapeHtml(e.path)}" ${ATTR.token}="${e.token}">${e.html ?? ""}</div>`;
}

/**
 * Renders a component's hole (render-tree.ts): child views met inside are
 * marked sticky (see {@link ChildEntry.sticky}). Takes the function and its
 * argument, as inChildFrame does: a component's hole allocates no closure.
 */
export function inComponent<A, T>(render: (arg: A) => T, arg: A): T {
  inComponents++;
  try {
    return render(arg);
  } finally {
    inComponents--;
  }
}
