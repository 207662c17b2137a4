/**
 * Logging: Weft writes everything it has to say through one `Logger`, the
 * shape pino, bunyan-style and most structured loggers share — a method per
 * level taking a fields object and a message. A small console logger is the
 * default; nothing in src/server writes to the console any other way.
 */
import { describe } from "./startup-checks.ts";

/** One log method: structured fields first, then the message (pino's order). */
export type LogFn = (fields: Record<string, unknown>, msg: string) => void;

/**
 * What Weft needs of a logger: `info`, `warn`, `error` and `debug`, each
 * called as `(fields, message)`. A pino logger fits as it is.
 *
 * @example
 * import pino from "pino";
 * createWeft({ views, logger: pino({ level: "debug" }), debug: true });
 */
export interface Logger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  debug: LogFn;
}

/** The levels Weft calls, in the order the check reports them. */
export const LOG_LEVELS = ["info", "warn", "error", "debug"] as const;

/**
 * The default logger: one line per call on the console (`console.error` for
 * warn and error, `console.log` for info and debug), prefixed `[weft]`. An
 * `err` field is printed as the error itself (with its stack, on the server's
 * console only); other fields follow as JSON.
 *
 * @example createWeft({ views, logger: consoleLogger() })
 */
export function consoleLogger(): Logger {
  const line = (out: (...args: unknown[]) => void) => (fields: Record<string, unknown>, msg: string): void => {
    const { err, ...rest } = fields;
    const extra = Object.keys(rest).length > 0 ? ` ${safeJson(rest)}` : "";
    if (err !== undefined) out(`[weft] ${msg}${extra}`, err);
    else out(`[weft] ${msg}${extra}`);
  };
  /* eslint-disable no-console -- the one place Weft writes to the console */
  // Looked up at each call, not captured: a console replaced later (tests, log shippers) is the one used.
  const log = (...args: unknown[]): void => console.log(...args);
  const err = (...args: unknown[]): void => console.error(...args);
  return { info: line(log), warn: line(err), error: line(err), debug: line(log) };
  /* eslint-enable no-console */
}

/**
 * Checks that `logger` has every method Weft calls; throws a TypeError that
 * names the missing ones.
 *
 * @example checkLogger(pino()) // returns the logger
 */
export function checkLogger(logger: unknown): Logger {
  if (typeof logger !== "object" || logger === null) {
    throw new TypeError(`createWeft: \`logger\` must be a logger object with info/warn/error/debug(fields, message) methods (pino fits), got ${describe(logger)}`);
  }
  const missing = LOG_LEVELS.filter((level) => typeof (logger as Record<string, unknown>)[level] !== "function");
  if (missing.length > 0) {
    throw new TypeError(`createWeft: \`logger\` lacks ${missing.map((m) => `${m}()`).join(", ")}: it needs info/warn/error/debug(fields, message) methods (pino fits)`);
  }
  return logger as Logger;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return "[unserialisable fields]";
  }
}
