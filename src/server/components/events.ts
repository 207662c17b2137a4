/**
 * Routing a browser event to a component: the event names its target
 * (`weft-target`, or the closest `weft-component` root on the page). A target
 * that is not a live component of the view — removed meanwhile, or forged —
 * answers E_UNKNOWN_TARGET; a name the component has no handler for answers
 * E_UNKNOWN_EVENT (in development with "did you mean", as for views).
 */
import type { ErrorCode } from "../../protocol/errors.ts";
import { didYouMean } from "../startup-checks.ts";
import type { EventHandler } from "../view.ts";
import type { ComponentHost } from "./host.ts";

/**
 * The handler to run, or the error to answer.
 *
 * @example const t: ComponentEventTarget = { code: "E_UNKNOWN_TARGET", message: "…" };
 */
export type ComponentEventTarget =
  | { readonly handler: EventHandler<unknown>; readonly state: unknown }
  | { readonly code: ErrorCode; readonly message: string };

/**
 * Finds the handler `name` of component `target` in `host`.
 *
 * @example componentEvent(host, "c1", "inc", false) // { handler, state }
 */
export function componentEvent(host: ComponentHost | undefined, target: string, name: string, dev: boolean): ComponentEventTarget {
  const found = host?.find(target, name);
  if (found === undefined || "missing" in found) {
    const names = found?.names ?? [];
    if (found?.missing === "E_UNKNOWN_EVENT") {
      const guess = dev ? didYouMean(name, names) : undefined;
      return { code: "E_UNKNOWN_EVENT", message: `the component "${clip(target)}" has no handler "${clip(name)}"${guess === undefined ? "" : ` — did you mean "${guess}"?`}` };
    }
    return { code: "E_UNKNOWN_TARGET", message: `the view has no component "${clip(target)}" (removed, or a forged weft-target)` };
  }
  return found;
}

function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
