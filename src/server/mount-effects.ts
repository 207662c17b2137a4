/**
 * Effects a mount asks for before its session exists: `ctx.pushEvent`,
 * `ctx.announce` and `ctx.navigate` called in `mount`, at the server-rendered page or at a live
 * re-mount (the join found no session). They are kept in order and sent by
 * the join that starts the session, right after its full render, so a hook
 * gets its initial data and a redirect at mount takes the page away. At the
 * server-rendered page a navigation answers the GET with a 302 instead
 * (core.ts): no page, no session, no effects.
 */
import { S, type Envelope, type NavPayload } from "../protocol/messages.ts";
import { isAnnouncePayload, type AnnounceEffect } from "./announce.ts";
import { isFlashPayload, type FlashEffect } from "./flash.ts";
import { navPayload } from "./navigation.ts";
import type { Json, ViewContext } from "./view.ts";

/** A push or a navigation waiting for the join: the envelope it becomes (JSON, so a snapshot carries it). */
export type MountEffect = PushEffect | NavEffect | AnnounceEffect | FlashEffect;

/** `ctx.pushEvent` at mount: a push envelope. */
export interface PushEffect {
  readonly t: typeof S.push;
  readonly e: string;
  readonly d: Json;
}

/** `ctx.navigate` at mount: a nav envelope. */
export interface NavEffect {
  readonly t: typeof S.nav;
  readonly d: NavPayload;
}

/**
 * Records `ctx.pushEvent(name, payload)` at mount.
 *
 * @example effects.push(pushEffect("hello", { n: 1 }))
 */
export function pushEffect(name: string, payload: Json | undefined): PushEffect {
  return { t: S.push, e: name, d: payload ?? null };
}

/**
 * Records `ctx.navigate(to, options)` at mount. Checks the target now, as a
 * live `ctx.navigate` does: a bad one throws a NavigationError out of `mount`.
 *
 * @example effects.push(navEffect("/login", { kind: "redirect" }))
 */
export function navEffect(to: string, options: Parameters<ViewContext["navigate"]>[1]): NavEffect {
  return { t: S.nav, d: navPayload(to, options) };
}

/**
 * Sends `effects` through `emit`, in order, each as a fresh envelope (emit
 * numbers it and keeps it in the outbox for replay).
 *
 * @example sendEffects(init.effects, (env) => session.emit(env))
 */
export function sendEffects(effects: readonly MountEffect[] | undefined, emit: (env: Envelope) => void): void {
  for (const fx of effects ?? []) emit({ ...fx } as Envelope);
}

/** True when `x` is a {@link MountEffect} (a stored snapshot's field, checked before use). */
export function isMountEffect(x: unknown): x is MountEffect {
  if (typeof x !== "object" || x === null) return false;
  const fx = x as { t?: unknown; e?: unknown; d?: unknown };
  if (fx.t === S.push) return typeof fx.e === "string";
  if (fx.t === S.announce) return isAnnouncePayload(fx.d);
  if (fx.t === S.flash) return isFlashPayload(fx.d);
  if (fx.t !== S.nav || typeof fx.d !== "object" || fx.d === null) return false;
  const d = fx.d as { to?: unknown; kind?: unknown };
  return typeof d.to === "string" && (d.kind === "patch" || d.kind === "navigate" || d.kind === "redirect");
}
