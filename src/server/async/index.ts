/**
 * Background work and handler time limits (docs/async.md): `ctx.startAsync`
 * / `ctx.cancelAsync` (tasks.ts), the reports they leave in `state.async`
 * (report.ts), and the time limit of async handlers (deadline.ts).
 */
export { AsyncRunningError, AsyncTasks, type AsyncFn, type AsyncOptions, type AsyncTask } from "./tasks.ts";
export { resumedReports, type AsyncReport, type AsyncReports, type AsyncStatus } from "./report.ts";
export { HANDLER_TIMEOUT_MS, HandlerTimeout, MAX_QUEUED, withinLimit } from "./deadline.ts";
export { infoDropReporter } from "./dropped-info.ts";
