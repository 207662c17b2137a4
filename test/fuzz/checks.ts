/**
 * What every answer to a hostile input must look like. An HTTP answer is a
 * 2xx, or a 4xx whose JSON body is `{error:{code}}` (or, for a page request, an
 * HTML error page showing `<code>CODE</code>`) with a registered code and
 * that code's status; never a 5xx. A frame is a JSON object, and an error
 * frame carries a registered code — never E_INTERNAL, which means the server
 * caught one of its own exceptions.
 *
 * @example
 * const verdict = await checkResponse(res, { transport: "http" });
 * if (verdict.problem) fail(verdict.problem);
 */
import { ERRORS, isErrorCode } from "../../src/protocol/errors.ts";
import { S } from "../../src/protocol/messages.ts";

/** What a frame held, or what is wrong with it. */
export interface FrameVerdict {
  /** The error code of an error frame. */
  readonly code?: string;
  readonly problem?: string;
}

/** Checks one frame the server sent. */
export function checkFrame(frame: unknown): FrameVerdict {
  let m: unknown = frame;
  if (typeof frame === "string") {
    try {
      m = JSON.parse(frame);
    } catch {
      return { problem: `the server sent a frame that is not JSON: ${clip(frame)}` };
    }
  }
  if (typeof m !== "object" || m === null || Array.isArray(m)) return { problem: `the server sent a frame that is not an object: ${clip(JSON.stringify(m))}` };
  const env = m as { t?: unknown; c?: unknown };
  if (env.t !== S.error) return {};
  if (typeof env.c !== "string" || !isErrorCode(env.c)) return { problem: `error frame with an unregistered code: ${clip(JSON.stringify(m))}` };
  if (env.c === "E_INTERNAL") return { code: env.c, problem: `error frame E_INTERNAL (the server caught its own exception): ${clip(JSON.stringify(m))}` };
  return { code: env.c };
}

/** What an HTTP answer was, or what is wrong with it. */
export interface ResponseVerdict {
  /** "204", "404 E_UNKNOWN_LINK", … */
  readonly label: string;
  /** Frames carried by a long-poll or POST answer (not checked yet). */
  readonly frames: readonly unknown[];
  /** The body of a `{n, f}` answer, as sent. */
  readonly text?: string;
  readonly problem?: string;
}

/**
 * Reads and checks an answer. An event stream is read to its first chunk and
 * then cancelled (it would never end). `expect` pins the status and code.
 */
export async function checkResponse(res: Response, opts: { head?: boolean; expect?: { status: number; code: string } | undefined }): Promise<ResponseVerdict> {
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("text/event-stream")) return checkStream(res, opts.expect);
  const text = await res.text();
  const status = res.status;
  if (status >= 200 && status < 300) return checkOk(status, type, text, opts.expect);
  if (status < 400 || status >= 500) return { label: `${status}`, frames: [], problem: `answered ${status}: ${clip(text)}` };
  if (opts.head === true && text === "") return { label: `${status} (HEAD)`, frames: [] };
  // Node's HTTP parser refuses a request line and headers over maxHeaderSize (16 KiB) before any app code runs.
  if (status === 431 && text === "") return { label: "431 (node parser)", frames: [] };
  // Page requests get HTML error pages (src/server/http/error-page.ts): the code stands in <code>.
  let code: unknown = type.startsWith("text/html") ? /<code>(E_[A-Z_]+)<\/code>/.exec(text)?.[1] : undefined;
  if (code === undefined) {
    try {
      code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    } catch {
      return { label: `${status} non-JSON`, frames: [], problem: `answered ${status} without a JSON error body or an error page: ${clip(text)}` };
    }
  }
  const label = `${status} ${String(code)}`;
  if (typeof code !== "string" || !isErrorCode(code)) return { label, frames: [], problem: `answered ${status} with an unregistered code: ${clip(text)}` };
  if (ERRORS[code].status !== status) return { label, frames: [], problem: `answered ${status} with ${code}, whose status is ${ERRORS[code].status}` };
  if (opts.expect !== undefined && (opts.expect.status !== status || opts.expect.code !== code)) return { label, frames: [], problem: `answered ${label}; expected ${opts.expect.status} ${opts.expect.code}` };
  return { label, frames: [] };
}

async function checkStream(res: Response, expect: { status: number; code: string } | undefined): Promise<ResponseVerdict> {
  const reader = res.body?.getReader();
  const first = reader === undefined ? undefined : await reader.read().catch(() => undefined);
  await reader?.cancel().catch(() => {});
  const label = `${res.status} stream`;
  if (res.status !== 200) return { label, frames: [], problem: `an event stream answered ${res.status}` };
  if (expect !== undefined) return { label, frames: [], problem: `opened an event stream; expected ${expect.status} ${expect.code}` };
  const head = first?.value === undefined ? "" : Buffer.from(first.value).toString("utf8");
  if (!head.startsWith("retry:")) return { label, frames: [], problem: `the event stream does not start with a retry hint: ${clip(head)}` };
  return { label, frames: [] };
}

function checkOk(status: number, type: string, text: string, expect: { status: number; code: string } | undefined): ResponseVerdict {
  const label = `${status}`;
  if (expect !== undefined) return { label, frames: [], problem: `answered ${status}; expected ${expect.status} ${expect.code}` };
  if (status === 204 || type.startsWith("text/html")) return { label, frames: [] };
  if (!type.startsWith("application/json")) return { label, frames: [], problem: `answered ${status} with content type "${type}"` };
  let body: { n?: unknown; f?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { label, frames: [], problem: `answered ${status} with a body that is not JSON: ${clip(text)}` };
  }
  if (!Number.isSafeInteger(body.n) || !Array.isArray(body.f)) return { label, frames: [], problem: `answered ${status} with a body that is not {n, f}: ${clip(text)}` };
  return { label, frames: body.f, text };
}

/** The first 300 characters, for reports. */
export function clip(s: string | Buffer, n = 300): string {
  const str = typeof s === "string" ? s : `<${s.length} bytes> ${s.subarray(0, 48).toString("hex")}`;
  return str.length > n ? `${str.slice(0, n)}… (${str.length} chars)` : str;
}
