/**
 * A view session's components: their state and trees, by id. A render of the
 * view is one pass that meets each `component()` in order; a component whose
 * props did not change (key by key) is carried over as it is, with its whole
 * subtree, and costs nothing on the wire; a new one mounts, a changed one
 * updates; the components no render reached any more are dropped (state
 * freed). A component's own event re-renders that component only.
 *
 * Invariant: every pass builds a new map of immutable entries, staged until
 * the session commits the render, so a pass that throws (a duplicate id, a
 * failing render) leaves every component as it was.
 */
import type { ComponentNode, ComponentParts, TemplateNode } from "../../protocol/messages.ts";
import { describe } from "../startup-checks.ts";
import { diffTree, type StaticsLedger } from "../template/diff.ts";
import { staticsOf } from "../template/compile.ts";
import { Template } from "../template/html.ts";
import { renderTree } from "../template/render-tree.ts";
import { ownHandler, type EventHandler, type Json } from "../view.ts";
import { ComponentError, duplicateIds, MAX_COMPONENT_DEPTH, tooDeep, type AnyComponent, type ComponentProps, type ComponentRef } from "./define.ts";
import { withVisitor, type ComponentVisitor } from "./scope.ts";
import { sameLineage } from "../dev/origins.ts";

/** One component as rendered: immutable (a change makes a new entry). */
interface Entry {
  readonly def: AnyComponent;
  readonly props: ComponentProps;
  readonly state: unknown;
  readonly tree: TemplateNode;
  /** Ids of the components its render placed, in order. */
  readonly children: readonly string[];
}

type Entries = Map<string, Entry>;

/**
 * A component as a snapshot keeps it: its last props and state (JSON).
 *
 * @example const saved: SavedComponent = { p: { id: "c1", title: "A" }, s: { title: "A", count: 2 } };
 */
export interface SavedComponent {
  readonly p: Json;
  readonly s: Json;
}

export { ComponentError } from "./define.ts";

/** A component's render must start with a complete start tag: the client marks it with `weft-component`. */
const ROOT = /^\s*<[a-zA-Z][a-zA-Z0-9-]*(?=[\s/>])/;

/**
 * The components of one view session (the session holds one only while its
 * view has components).
 *
 * @example
 * const host = new ComponentHost();
 * const tree = host.render(() => renderView(view, state, path));
 * const p = host.commit(ledger); // the frame's `p`
 */
export class ComponentHost implements ComponentVisitor {
  /** The committed components; undefined while there are none (most views). */
  private entries: Entries | undefined;
  /** The pass in progress, or its result waiting for commit. */
  private staged: Entries | undefined;
  /** What the pass in progress compares with (committed, or staged before it). */
  private base: Entries | undefined;
  /** Children met by the render in progress (the view's, or a component's). */
  private kids: string[] | undefined;
  private dupes: string[] | undefined;
  private depth = 0;
  /** From a snapshot: used by the first render instead of mount. */
  private restored: Record<string, SavedComponent> | undefined;
  /** `ctx.sendUpdate` calls of the running work. */
  private updates: { def: AnyComponent; id: string; props: ComponentProps }[] | undefined;

  /** Components from a snapshot, for the first render. */
  restore(saved: Record<string, SavedComponent> | undefined): void {
    this.restored = saved;
  }

  /**
   * Renders the view (`fn`) with this host placing its components; stages
   * the result. Throws a {@link ComponentError} naming duplicate ids.
   */
  render<T>(fn: () => T): T {
    this.begin(this.entries, undefined);
    const out = this.pass(fn);
    // A view that had components and renders none drops them all.
    if (this.staged === undefined && this.entries !== undefined) this.staged = new Map();
    return out;
  }

  /** Re-renders component `id` alone with `state` (its event, a sendUpdate), over what is staged or committed. */
  rerender(id: string, state: unknown): void {
    const base = this.staged ?? this.entries;
    const old = base?.get(id);
    if (base === undefined || old === undefined) throw new ComponentError(`no component "${id}" to re-render`);
    const next = new Map(base);
    this.forget(next, base, old);
    this.begin(base, next);
    this.pass(() => next.set(id, this.renderEntry(id, old.def, old.props, state)));
  }

  /** Queues `ctx.sendUpdate`: applied after the running work's render ({@link flush}). */
  sendUpdate(def: AnyComponent, id: unknown, props: ComponentProps): void {
    if (typeof id !== "string" && typeof id !== "number") throw new TypeError(`ctx.sendUpdate(Component, id, props): the id must be a string or a number, got ${describe(id)}`);
    (this.updates ??= []).push({ def, id: String(id), props: { ...props, id: String(id) } });
  }

  /** Applies queued sendUpdates to the staged components; one naming no rendered component of that definition goes to `report`. */
  flush(report: (err: Error) => void): void {
    const updates = this.updates;
    this.updates = undefined;
    for (const u of updates ?? []) {
      const e = (this.staged ?? this.entries)?.get(u.id);
      if (e === undefined || e.def !== u.def) {
        report(new ComponentError(`ctx.sendUpdate: no component "${u.id}" of that definition is rendered; the update is dropped`));
        continue;
      }
      this.rerender(u.id, runUpdate(e.def, u.props, e.state, u.id));
    }
  }

  /**
   * Commits the staged components and returns what the client needs
   * (messages.ts `p`): diffs of changed ones, full trees of new ones (their
   * statics recorded in `ledger`), `null` for removed ones.
   */
  commit(ledger: StaticsLedger): ComponentParts | undefined {
    const next = this.staged;
    this.staged = undefined;
    this.restored = undefined;
    if (next === undefined) return undefined;
    const old = this.entries;
    let p: ComponentParts | undefined;
    for (const [id, e] of next) {
      const o = old?.get(id);
      if (o === e) continue;
      const d = diffTree(o?.tree, e.tree, ledger);
      if (d !== undefined) (p ??= {})[id] = d;
    }
    if (old !== undefined) for (const id of old.keys()) if (!next.has(id)) (p ??= {})[id] = null;
    this.entries = next.size > 0 ? next : undefined;
    return p;
  }

  /** Drops staged work and queued updates (the work failed). */
  discard(): void {
    this.staged = this.updates = undefined;
  }

  /** Every component's full tree (a full render), statics recorded in `ledger`. */
  full(ledger: StaticsLedger): ComponentParts | undefined {
    if (this.entries === undefined) return undefined;
    const p: ComponentParts = {};
    for (const [id, e] of this.entries) {
      ledger.collect(e.tree);
      p[id] = e.tree;
    }
    return p;
  }

  /** The committed components' trees by id (or the staged ones, before a commit: a page render). */
  lookup = (id: string): TemplateNode | undefined => (this.staged ?? this.entries)?.get(id)?.tree;

  /** True when the host holds nothing, committed, staged or queued. */
  get idle(): boolean {
    return this.entries === undefined && this.staged === undefined && this.restored === undefined && this.updates === undefined;
  }

  /** Number of live components (tests, metrics). */
  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The state of component `id` (the test kit reads it). */
  stateOf(id: string): unknown {
    return this.entries?.get(id)?.state;
  }

  /** The handler `name` of component `id`, with its state; or why there is none. */
  find(id: string, name: string): { handler: EventHandler<unknown>; state: unknown } | { missing: "E_UNKNOWN_TARGET" | "E_UNKNOWN_EVENT"; names: readonly string[] } {
    const e = this.entries?.get(id);
    if (e === undefined) return { missing: "E_UNKNOWN_TARGET", names: [...(this.entries?.keys() ?? [])] };
    const handler = ownHandler(e.def.events, name) as EventHandler<unknown> | undefined;
    return handler === undefined ? { missing: "E_UNKNOWN_EVENT", names: Object.keys(e.def.events ?? {}) } : { handler, state: e.state };
  }

  /** What a snapshot keeps: each component's props and state. */
  snapshot(): Record<string, SavedComponent> | undefined {
    if (this.entries === undefined) return undefined;
    const out: Record<string, SavedComponent> = {};
    for (const [id, e] of this.entries) out[id] = { p: e.props as Json, s: e.state as Json };
    return out;
  }

  /** A component met by the render in progress (scope.ts). */
  visit(ref: ComponentRef): ComponentNode {
    const id = ref.id;
    const node: ComponentNode = { c: id };
    (this.kids ??= []).push(id);
    const next = (this.staged ??= new Map());
    if (next.has(id)) {
      (this.dupes ??= []).push(id);
      return node;
    }
    const old = this.base?.get(id);
    if (old !== undefined && old.def === ref.def && sameProps(old.props, ref.props)) {
      this.carry(next, id, old);
      return node;
    }
    const saved = old === undefined ? this.restored?.[id] : undefined;
    let state: unknown;
    if (old !== undefined && old.def === ref.def) state = runUpdate(ref.def, ref.props, old.state, id);
    // A hot reload's new definition of the same component (dev/origins.ts) keeps its state: asked only when the definitions differ.
    else if (old !== undefined && sameLineage(old.def, ref.def)) state = sameProps(old.props, ref.props) ? old.state : runUpdate(ref.def, ref.props, old.state, id);
    else if (saved !== undefined) state = sameProps(saved.p as ComponentProps, ref.props) ? saved.s : runUpdate(ref.def, ref.props, saved.s, id);
    else state = runMount(ref.def, ref.props, id);
    next.set(id, PLACEHOLDER); // its own subtree may not use its id again
    next.set(id, this.renderEntry(id, ref.def, ref.props, state));
    return node;
  }

  private begin(base: Entries | undefined, staged: Entries | undefined): void {
    this.base = base;
    this.staged = staged;
    this.kids = this.dupes = undefined;
    this.depth = 0;
  }

  /** Runs a pass with this host as the visitor; fails it (nothing staged) on a throw or duplicate ids. */
  private pass<T>(fn: () => T): T {
    try {
      const out = withVisitor(this, fn);
      if (this.dupes !== undefined) throw duplicateIds(this.dupes);
      return out;
    } catch (err) {
      this.staged = undefined;
      throw err;
    } finally {
      this.base = this.kids = this.dupes = undefined;
    }
  }

  /** Renders one component with `state`, collecting the components its render places. */
  private renderEntry(id: string, def: AnyComponent, props: ComponentProps, state: unknown): Entry {
    if (this.depth >= MAX_COMPONENT_DEPTH) throw tooDeep(id);
    const outer = this.kids;
    this.kids = undefined;
    this.depth++;
    try {
      const t: unknown = def.render(state);
      if (!(t instanceof Template)) throw new ComponentError(`render() of component "${id}" must return an html\`…\` template, got ${describe(t)}`);
      const tree = renderTree(t);
      if (!ROOT.test(staticsOf(tree.s)?.[0] ?? "")) throw new ComponentError(`component "${id}" must render one root element, starting with its start tag (html\`<div …>…</div>\`)`);
      return { def, props, state, tree, children: this.kids ?? [] };
    } finally {
      this.kids = outer;
      this.depth--;
    }
  }

  /** Keeps an unchanged component and its subtree as they are. */
  private carry(next: Entries, id: string, e: Entry): void {
    next.set(id, e);
    for (const child of e.children) {
      const c = this.base?.get(child);
      if (c === undefined) continue;
      if (next.has(child)) (this.dupes ??= []).push(child);
      else this.carry(next, child, c);
    }
  }

  /** Removes `e`'s subtree from `next` (it is about to be rendered again). */
  private forget(next: Entries, base: Entries, e: Entry): void {
    for (const child of e.children) {
      const c = base.get(child);
      next.delete(child);
      if (c !== undefined) this.forget(next, base, c);
    }
  }
}

/** Stands for a component whose render is in progress (duplicate detection only). */
const PLACEHOLDER = {} as Entry;

function runMount(def: AnyComponent, props: ComponentProps, id: string): unknown {
  return sync(def.mount(props), id, "mount");
}

function runUpdate(def: AnyComponent, props: ComponentProps, state: unknown, id: string): unknown {
  if (def.update !== undefined) return sync(def.update(props, state), id, "update");
  return isPlain(state) ? { ...state, ...props } : state;
}

function sync(v: unknown, id: string, what: string): unknown {
  if (v instanceof Promise) throw new ComponentError(`${what}() of component "${id}" must be synchronous (it runs during the render): load data in the view or in an event`);
  return v;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Props compared key by key (`Object.is`): the parent re-rendering with the same values costs the component nothing. */
function sameProps(a: ComponentProps, b: ComponentProps): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.is(a[k], b[k]) || !Object.prototype.hasOwnProperty.call(b, k)) return false;
  return true;
}
