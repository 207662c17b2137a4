/**
 * One htmx client of a view, over a WebSocket or an SSE response. STUB: to be built.
 */
import type { IncomingMessage } from "node:http";
import type { ErrorCode } from "../../protocol/errors.ts";
import type { Core } from "../core.ts";
import type { RouteMatch } from "../router.ts";
import type { Params } from "../view.ts";
import type { HtmxSender } from "./out.ts";

/** What opens a view stream. */
export interface ViewStreamStart {
  readonly core: Core;
  readonly req: IncomingMessage;
  readonly route: RouteMatch;
  readonly query: Params;
  readonly sender: HtmxSender;
  /** SSE: the Last-Event-ID `<sid>.<seq>` read back; resumes that session when this node still holds it. */
  readonly resume?: { readonly sid: string; readonly seq: number } | undefined;
  /** WebSocket: the CSRF token every frame must carry (htmx/csrf.ts), from the upgrade's cookie. */
  readonly csrf?: string | undefined;
}

/** A live htmx view stream. */
export interface HtmxViewStream {
  /** One WebSocket text frame from htmx (`bytes`: its size). Never throws. */
  receive(text: string, bytes: number): void;
  /** The stream ended. */
  close(): void;
}

/** Mounts (or resumes) the view and sends its current fragments; an error code when refused. */
export async function openViewStream(start: ViewStreamStart): Promise<HtmxViewStream | ErrorCode> {
  void start;
  return "E_UNKNOWN_VIEW";
}
