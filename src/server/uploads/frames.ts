/**
 * The shape checks of the upload frames a browser sends (C.upload,
 * C.uploadCancel): a frame that fails them is refused with E_BAD_FRAME and
 * changes nothing. Whether the upload and the entries exist is the session's
 * business (E_UPLOAD_UNKNOWN, answered in the view's stream).
 */
import type { Envelope, UploadDeclaration } from "../../protocol/messages.ts";

/** An entry ref: client-chosen, 16–64 of [A-Za-z0-9_-]. */
export const ENTRY_REF = /^[A-Za-z0-9_-]{16,64}$/;
/** Most files in one declaration. */
const MAX_DECLARED = 1_000;
/** Longest file name and type accepted in a declaration (the name shown is cut to 255). */
const MAX_NAME = 1_024;
const MAX_TYPE = 255;

/**
 * A declaration's upload name and files, or the reason it is malformed.
 *
 * @example readDeclaration({ t: "u", v: 1, r: 3, e: "avatar", d: [["q5mF0Jm3tUeZ2c8xAb1z", "me.png", "image/png", 10]] }) // { name, files }
 */
export function readDeclaration(msg: Envelope): { name: string; files: UploadDeclaration[] } | string {
  if (!uploadName(msg.e)) return "`e` must be an upload name";
  const d = msg.d;
  if (!Array.isArray(d) || d.length === 0 || d.length > MAX_DECLARED) return `\`d\` must be a list of 1 to ${MAX_DECLARED} files [ref, name, type, size]`;
  for (const f of d as unknown[]) {
    if (!Array.isArray(f) || f.length !== 4) return "each file must be [ref, name, type, size]";
    const [ref, name, type, size] = f as unknown[];
    if (typeof ref !== "string" || !ENTRY_REF.test(ref)) return "a file's ref must be 16 to 64 of A-Z a-z 0-9 _ -";
    if (typeof name !== "string" || name.length > MAX_NAME) return `a file's name must be a string of at most ${MAX_NAME} characters`;
    if (typeof type !== "string" || type.length > MAX_TYPE) return `a file's type must be a string of at most ${MAX_TYPE} characters`;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return "a file's size must be a whole number of bytes";
  }
  return { name: msg.e as string, files: d as UploadDeclaration[] };
}

/**
 * A cancel's upload name and entry ref, or the reason it is malformed.
 *
 * @example readCancel({ t: "c", v: 1, r: 4, e: "avatar", d: 42 }) // "`d` must be an entry ref"
 */
export function readCancel(msg: Envelope): { name: string; ref: string } | string {
  if (!uploadName(msg.e)) return "`e` must be an upload name";
  if (typeof msg.d !== "string" || !ENTRY_REF.test(msg.d)) return "`d` must be an entry ref";
  return { name: msg.e as string, ref: msg.d };
}

function uploadName(e: unknown): e is string {
  return typeof e === "string" && e.length > 0 && e.length <= 64;
}
