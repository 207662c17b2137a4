/**
 * Applies a view's new HTML to the page with morphdom, keeping what the user is
 * doing: the focused control keeps its value, caret and selection; `weft-ignore`
 * subtrees keep their children; elements with an event in flight keep their
 * loading state (see {@link Loading}) until the server acknowledges the event.
 */
import morphdomImport from "morphdom";
import { ATTR, CLASS } from "../protocol/messages.ts";
import { keepsNestedRoot, nodeKey } from "./nested-roots.ts";
import { note, optOf, put, type Opt } from "./optimistic.ts";

// morphdom's types declare `export default` in a CommonJS package, so under
// NodeNext TypeScript sees the module object; bundlers (and Node's CJS interop)
// hand over the function itself. Accept both. The target is always a node, and
// six options are never passed: the client's build drops morphdom's path for an
// HTML string and its code for those options (client-bundle.ts MORPHDOM_TRIM).
export const morphdom = ((morphdomImport as { default?: unknown }).default ?? morphdomImport) as (from: Node, to: Node, options?: Omit<NonNullable<Parameters<typeof morphdomImport.default>[2]>, "onBeforeNodeAdded" | "onBeforeNodeDiscarded" | "skipFromChildren" | "addChild" | "onElUpdated" | "onNodeDiscarded">) => Node;

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** What an in-flight element looked like per the server, to restore on ack. */
interface Lock {
  /** Highest ref in flight for this element; acks are cumulative, so one number is enough. */
  ref: number;
  /** The `weft-disable-with` text shown meanwhile, when the element has one. */
  readonly label: string | null;
  /** The server's latest content (innerHTML, or value for an input) and disabled flag. */
  text?: string;
  disabled?: boolean;
  /** `weft-optimistic` ops, with the server's latest version of what they touch (optimistic.ts). */
  readonly o: Opt;
}

/**
 * The in-flight elements of one view (refs are per view). Used by the bindings
 * when an event is sent, by the view when a ref is acknowledged, and by
 * {@link patch} so that a morph arriving meanwhile does not undo the state.
 *
 * @example
 * const loading = new Loading();
 * loading.add(button, 7); // weft-loading class, disable-with text
 * loading.done(7);        // restored to the server's latest content
 */
export class Loading {
  private readonly locks = new Map<Element, Lock>();

  /**
   * Marks `el` as waiting for `ref`.
   *
   * @example
   * loading.add(form, ref);
   */
  add(el: Element, ref: number): void {
    let lock = this.locks.get(el);
    if (lock === undefined) {
      lock = { ref, label: el.getAttribute(ATTR.disableWith), o: optOf(el) };
      remember(el, lock);
      this.locks.set(el, lock);
    }
    lock.ref = ref;
    show(el, lock);
  }

  /**
   * Clears every element whose refs are all ≤ `ref` (the server applied them).
   *
   * @example
   * loading.done(msg.r);
   */
  done(ref: number): void {
    for (const [el, lock] of this.locks) if (lock.ref <= ref) this.clear(el, lock);
  }

  /**
   * Clears the elements whose latest ref is `ref` (refused: it will never be
   * applied); elements waiting for a later event stay loading.
   *
   * @example
   * loading.settle(msg.r); // an E_TOO_LARGE for that ref
   */
  settle(ref: number): void {
    for (const [el, lock] of this.locks) if (lock.ref === ref) this.clear(el, lock);
  }

  private clear(el: Element, lock: Lock): void {
    this.locks.delete(el);
    el.classList.remove(CLASS.loading);
    put(el, lock.o, false);
    if (lock.text === undefined) return;
    setText(el, lock.text);
    (el as HTMLButtonElement).disabled = lock.disabled === true;
  }

  /**
   * Called by the morph for each updated element: `to` (the server's version)
   * becomes what to restore later, and is then dressed as loading so that the
   * morph keeps the state instead of flickering.
   */
  morph(from: Element, to: Element): void {
    const lock = this.locks.get(from);
    if (lock === undefined) return;
    remember(to, lock);
    show(to, lock);
  }
}

function remember(el: Element, lock: Lock): void {
  note(el, lock.o);
  if (lock.label === null) return;
  lock.text = el instanceof HTMLInputElement ? el.value : el.innerHTML;
  lock.disabled = (el as HTMLButtonElement).disabled === true;
}

function show(el: Element, lock: Lock): void {
  el.classList.add(CLASS.loading);
  put(el, lock.o, true);
  if (lock.label === null) return;
  if (el instanceof HTMLInputElement) el.value = lock.label;
  else el.textContent = lock.label;
  (el as HTMLButtonElement).disabled = true;
}

function setText(el: Element, text: string): void {
  if (el instanceof HTMLInputElement) el.value = text;
  else el.innerHTML = text;
}

/**
 * Values of controls at the moment their form was submitted. While a control
 * still holds that value the user has not typed since, so the server may reset
 * it even though it is focused (the "clear the chat box after send" case).
 */
const submitted = new WeakMap<Element, string>();

/**
 * Records the values of a form's controls as it is submitted.
 *
 * @example
 * noteSubmitted(form);
 */
export function noteSubmitted(form: HTMLFormElement): void {
  for (const el of Array.from(form.elements)) if (isControl(el)) submitted.set(el, el.value);
}

/**
 * Forgets the submitted value: the user typed, their text wins again.
 *
 * @example
 * document.addEventListener("input", (e) => noteTyped(e.target as Element));
 */
export function noteTyped(el: Element): void {
  submitted.delete(el);
}

/**
 * Whether `el` is a form control (input, textarea, select).
 *
 * @example
 * if (isControl(e.target)) noteTyped(e.target);
 */
export function isControl(el: unknown): el is Control {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

/**
 * An extension of the morph (client hooks, JS commands, focus): sees what each
 * patch adds and updates under a view root.
 *
 * @example
 * morphExts.push({ added: (el) => mountHook(el) });
 */
export interface MorphExt {
  /** An element the patch added (each element of an added subtree). */
  added?(el: Element): void;
  /** Before `from` takes the server's version `to` (attributes may be changed on `to`). */
  updating?(from: Element, to: Element): void;
}

/** The installed extensions, in order. */
export const morphExts: MorphExt[] = [];

/**
 * Morphs the children of `root` into `html`. Throws only on a DOM failure.
 *
 * @example
 * patch(root, rendered.diff(msg.d, msg.s), view.loading);
 */
export function patch(root: HTMLElement, html: string, loading: Loading): void {
  // Parse inside an element of the root's own kind, so that e.g. a <tbody> root
  // gets table parsing rules for its rows.
  const target = root.cloneNode(false) as HTMLElement;
  target.innerHTML = html;
  const focused = document.activeElement;
  const selection = selectionOf(focused);
  const choices: [HTMLSelectElement, string[]][] = [];
  morphdom(root, target, {
    childrenOnly: true,
    // A child view's root: the same child keeps its root as it is; another child replaces it.
    getNodeKey: nodeKey,
    onNodeAdded(node) {
      if (node instanceof Element) for (const x of morphExts) x.added?.(node);
      return node;
    },
    onBeforeElUpdated(from, to) {
      if (keepsNestedRoot(from, to)) return false;
      for (const x of morphExts) x.updating?.(from, to);
      loading.morph(from, to);
      if (!isControl(from) || submitted.get(from) === from.value) return true;
      if (from !== focused) {
        if (from instanceof HTMLSelectElement) keepChoice(from, to as HTMLSelectElement, choices);
        else keepUserValue(from, to as Control);
        return true;
      }
      // The user is typing here: take the server's attributes, not its value.
      mergeAttributes(from, to);
      return false;
    },
    // weft-ignore: a widget owns these children. A nested view root: its own view does. A stream's container: its ops do (streams.ts).
    onBeforeElChildrenUpdated: (from) => !from.hasAttribute(ATTR.ignore) && !from.hasAttribute(ATTR.view) && !from.hasAttribute(ATTR.stream),
  });
  for (const [select, values] of choices) for (const o of Array.from(select.options)) o.selected = values.includes(o.value);
  // Moving a keyed node (insertBefore) blurs it; put focus and caret back.
  if (focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected) {
    focused.focus();
    restoreSelection(focused, selection);
  }
}

/**
 * A control the user changed keeps its value unless the server changed the
 * value it renders: re-rendering the same `value` (or none, as for passwords)
 * must not wipe what the user typed in another field of the form.
 */
function keepUserValue(from: HTMLInputElement | HTMLTextAreaElement, to: Control): void {
  const same = from instanceof HTMLTextAreaElement
    ? from.defaultValue === (to as HTMLTextAreaElement).defaultValue
    : from.getAttribute("value") === to.getAttribute("value");
  if (same) to.value = from.value;
  if (from instanceof HTMLInputElement && from.hasAttribute("checked") === to.hasAttribute("checked")) {
    (to as HTMLInputElement).checked = from.checked;
  }
}

/** What the server marked `selected` in each select at the last patch (morphdom rewrites the live attributes). */
const serverMarked = new WeakMap<HTMLSelectElement, string>();

/**
 * The same rule for a select: when the server marks the same options
 * `selected` as last time, the user's choice is put back after the morph
 * (morphdom resets a select to the options the server marks, or to the first).
 */
function keepChoice(from: HTMLSelectElement, to: HTMLSelectElement, out: [HTMLSelectElement, string[]][]): void {
  const marked = (el: HTMLSelectElement) => Array.from(el.options).filter((o) => o.hasAttribute("selected")).map((o) => o.value).join("\u0000");
  const now = marked(to);
  const before = serverMarked.get(from) ?? marked(from);
  serverMarked.set(from, now);
  if (before === now) out.push([from, Array.from(from.selectedOptions).map((o) => o.value)]);
}

function mergeAttributes(from: Element, to: Element): void {
  for (const { name } of Array.from(from.attributes)) {
    if (name !== "value" && !to.hasAttribute(name)) from.removeAttribute(name);
  }
  for (const { name, value } of Array.from(to.attributes)) {
    if (name !== "value" && from.getAttribute(name) !== value) from.setAttribute(name, value);
  }
}

type Selection = [number | null, number | null] | undefined;

function selectionOf(el: Element | null): Selection {
  try {
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return [el.selectionStart, el.selectionEnd];
  } catch {
    // Some input types (email, number) throw on selection access in older engines.
  }
  return undefined;
}

function restoreSelection(el: HTMLElement, sel: Selection): void {
  if (sel === undefined || sel[0] === null || sel[1] === null) return;
  try {
    (el as HTMLInputElement).setSelectionRange(sel[0], sel[1]);
  } catch {
    // The element's type no longer supports a selection; focus is enough.
  }
}
