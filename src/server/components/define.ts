/**
 * Components: `defineComponent({ mount, update?, events?, render })` and
 * `component(Def, { id, ...props })`, the value that places one in a
 * template. A component has its own state and its own events; an event of
 * a component re-renders that component only (host.ts), and its tree travels
 * apart from the view's (protocol/messages.ts, `p`). See docs/components.md.
 */
import { describe, rejectUnknownKeys } from "../startup-checks.ts";
import type { Template } from "../template/html.ts";
import { checkEvents } from "../view-check.ts";
import { noteOrigin } from "../dev/origins.ts";
import type { EventHandler } from "../view.ts";

/**
 * A component's id: unique among the components of one view render.
 *
 * @example const id: ComponentId = `card-${card.id}`;
 */
export type ComponentId = string | number;

/**
 * What a component receives from the template: its `id` and the parent's props.
 *
 * @example type CardProps = ComponentProps & { title: string };
 */
export type ComponentProps = { readonly id: ComponentId } & Readonly<Record<string, unknown>>;

/**
 * A component definition (see {@link defineComponent}).
 *
 * @example
 * const def: ComponentDefinition<{ n: number }, { id: string }> = { mount: () => ({ n: 0 }), render: (s) => html`<b>${s.n}</b>` };
 */
export interface ComponentDefinition<S = unknown, P extends ComponentProps = ComponentProps> {
  /**
   * The initial state from the first props (`id` included). Runs when the
   * component first appears in a render; synchronous (it runs during the
   * render): load data in the parent, or in an event.
   */
  mount(props: P): S;
  /**
   * The parent rendered the component again with other props (compared key
   * by key), or `ctx.sendUpdate` sent it props: returns the new state.
   * Synchronous. Without `update`, props are merged into an object state
   * (`{ ...state, ...props }`); any other state is kept.
   */
  update?(props: P, state: S): S;
  /** The component's own handlers: `weft-*` events inside its root (or with `weft-target`) run these, by own key. */
  readonly events?: Readonly<Record<string, EventHandler<S>>>;
  /** Renders the state: one root element (it carries `weft-component`). Pure, like a view's render. */
  render(state: S): Template;
}

/** Every key a component definition may have. */
export const COMPONENT_KEYS = ["mount", "update", "events", "render"] as const satisfies readonly (keyof ComponentDefinition)[];
type Unlisted = Exclude<keyof ComponentDefinition, (typeof COMPONENT_KEYS)[number]>;
// A compile error here names a ComponentDefinition key missing from COMPONENT_KEYS.
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;
void allListed;

/**
 * Defines a component. Checks the definition's shape at once: unknown keys
 * (with "did you mean"), a missing `mount` or `render`, handlers that are not
 * functions.
 *
 * @example
 * const Card = defineComponent({
 *   mount: (p: { id: string; title: string }) => ({ title: p.title, count: 0 }),
 *   events: { inc: (s) => ({ ...s, count: s.count + 1 }) },
 *   render: (s) => html`<div class="card"><h2>${s.title}</h2><button weft-click="inc">${s.count}</button></div>`,
 * });
 */
export function defineComponent<S, P extends ComponentProps = ComponentProps>(definition: ComponentDefinition<S, P>): ComponentDefinition<S, P> {
  const where = "defineComponent";
  if (typeof definition !== "object" || definition === null || Array.isArray(definition)) {
    throw new TypeError(`${where}: a component must be an object { mount, render, update?, events? }, got ${describe(definition)}`);
  }
  rejectUnknownKeys(where, definition, COMPONENT_KEYS);
  const d = definition as Partial<ComponentDefinition<unknown>>;
  if (typeof d.mount !== "function") throw new TypeError(`${where}: \`mount(props)\` must be a function returning the initial state, got ${describe(d.mount)}`);
  if (typeof d.render !== "function") throw new TypeError(`${where}: \`render(state)\` must be a function returning html\`…\`, got ${describe(d.render)}`);
  if (d.update !== undefined && typeof d.update !== "function") throw new TypeError(`${where}: \`update(props, state)\` must be a function returning the new state, got ${describe(d.update)}`);
  checkEvents(where, d.events);
  const def = Object.freeze({ ...definition });
  noteOrigin(def); // its module, for development hot reload (dev/origins.ts)
  return def;
}

/** A component definition of any state and props (what the host holds). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyComponent = ComponentDefinition<any, any>;

/**
 * What {@link component} returns: inert until a view render meets it (host.ts).
 *
 * @example const ref: ComponentRef = component(Card, { id: "c1", title: "Hello" });
 */
export class ComponentRef {
  /** @internal */
  constructor(
    readonly def: AnyComponent,
    readonly id: string,
    readonly props: ComponentProps,
  ) {}
}

/** Longest component id (it travels in every frame of the component and in its root's attribute). */
const MAX_ID = 128;

/**
 * Places a component in a template: `${component(Card, { id: "c1", title })}`.
 * The `id` (a string or a finite number, at most 128 characters) names the
 * component: it keeps its state while renders go on naming it, and is
 * dropped (its state freed) by the first render without it.
 *
 * @example
 * render: (s) => html`<main>${s.cards.map((c) => component(Card, { id: c.id, title: c.title }))}</main>`
 */
// Any state: the state type is the definition's business, the props are checked against it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function component<P extends ComponentProps>(def: ComponentDefinition<any, P>, props: P): ComponentRef {
  const d = def as AnyComponent | undefined;
  if (typeof d !== "object" || d === null || typeof d.mount !== "function" || typeof d.render !== "function") {
    throw new TypeError(`Weft: component(Def, props) needs a definition made by defineComponent, got ${describe(def)}`);
  }
  const raw: unknown = (props as { id?: unknown } | null)?.id;
  const id = typeof raw === "string" ? raw : typeof raw === "number" && Number.isFinite(raw) ? String(raw) : undefined;
  if (id === undefined || id === "" || id.length > MAX_ID) {
    throw new TypeError(`Weft: component() needs props with an \`id\`: a non-empty string or a finite number of at most ${MAX_ID} characters, got ${describe(raw)}`);
  }
  return new ComponentRef(d, id, props);
}

/** Components nest at most this deep (a component that places itself would recurse forever). */
export const MAX_COMPONENT_DEPTH = 32;

/** The error of a component nested deeper than {@link MAX_COMPONENT_DEPTH}, at `id`. */
export function tooDeep(id: string): ComponentError {
  return new ComponentError(`components nested over ${MAX_COMPONENT_DEPTH} deep at "${id}": does a component place itself?`);
}

/**
 * A render that cannot stand: duplicate component ids, a component render
 * that fails its checks. A live view answers E_RENDER and keeps its state; a
 * page answers 500.
 *
 * @example
 * createWeft({ views, secret, onError: (err) => { if (err instanceof ComponentError) log.warn(err.message); } });
 */
export class ComponentError extends TypeError {
  constructor(detail: string) {
    super(`Weft: ${detail}`);
    this.name = "ComponentError";
  }
}

/** The error for ids placed twice in one render, naming up to five. */
export function duplicateIds(dupes: readonly string[]): ComponentError {
  const unique = [...new Set(dupes)];
  const ids = unique.slice(0, 5).map((d) => JSON.stringify(d)).join(", ");
  return new ComponentError(`duplicate component id${unique.length > 1 ? "s" : ""} ${ids}${unique.length > 5 ? ` and ${unique.length - 5} more` : ""} in one render; each component() needs an id of its own`);
}
