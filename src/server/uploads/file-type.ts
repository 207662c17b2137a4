/**
 * What a file is: its name's extension, its declared MIME type, and its first
 * bytes. `accepts` decides whether a declared file fits an upload's `accept`
 * list; `sniff` checks the first bytes against the signatures the name and
 * the type imply (a `.png` that is not a PNG is refused).
 */

/** MIME type by extension, for the types uploads commonly take. */
const MIME: Record<string, string> = {
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", bmp: "image/bmp",
  avif: "image/avif", svg: "image/svg+xml", ico: "image/x-icon", tif: "image/tiff", tiff: "image/tiff",
  pdf: "application/pdf", zip: "application/zip", gz: "application/gzip", json: "application/json",
  txt: "text/plain", csv: "text/csv", md: "text/markdown", html: "text/html", htm: "text/html",
  mp3: "audio/mpeg", wav: "audio/wav", ogg: "audio/ogg", mp4: "video/mp4", webm: "video/webm", mov: "video/quicktime",
  doc: "application/msword", docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** A signature: bytes (null: any) at an offset. A type may have several alternatives. */
type Signature = readonly [offset: number, bytes: readonly (number | null)[]];

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** Signatures by MIME type (any one must match). Types without one are taken by name and declared type. */
const SIGNATURES: Record<string, readonly Signature[]> = {
  "image/png": [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]],
  "image/jpeg": [[0, [0xff, 0xd8, 0xff]]],
  "image/gif": [[0, ascii("GIF87a")], [0, ascii("GIF89a")]],
  "image/webp": [[0, [...ascii("RIFF"), null, null, null, null, ...ascii("WEBP")]]],
  "image/bmp": [[0, ascii("BM")]],
  "application/pdf": [[0, ascii("%PDF-")]],
  "application/zip": [[0, [0x50, 0x4b, 0x03, 0x04]], [0, [0x50, 0x4b, 0x05, 0x06]], [0, [0x50, 0x4b, 0x07, 0x08]]],
  "application/gzip": [[0, [0x1f, 0x8b]]],
};
// Office files are ZIP containers.
SIGNATURES[MIME.docx!] = SIGNATURES["application/zip"]!;
SIGNATURES[MIME.xlsx!] = SIGNATURES["application/zip"]!;

/** Bytes `sniff` needs at most (the longest signature's end). */
export const SNIFF_BYTES = 12;

/** The lower-case extension of a file name, without the dot ("" when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot <= 0 || dot === name.length - 1 ? "" : name.slice(dot + 1).toLowerCase();
}

/** True when `entry` of an accept list (".png", "image/png", "image/*") is well formed. */
export function validAcceptEntry(entry: unknown): entry is string {
  return typeof entry === "string" && (/^\.[a-z0-9][a-z0-9+_-]{0,15}$/i.test(entry) || /^[a-z0-9][a-z0-9.+-]{0,63}\/(\*|[a-z0-9][a-z0-9.+-]{0,126})$/i.test(entry));
}

/** True when MIME `type` fits pattern `pat` ("image/png" or "image/*"), case-insensitively. */
function typeFits(pat: string, type: string): boolean {
  return pat.endsWith("/*") ? type.startsWith(pat.slice(0, -1)) : type === pat;
}

/**
 * True when a file named `name` and declared `type` fits `accept`: one entry
 * takes both. An extension entry (".png") takes a name with that extension
 * and a type that is empty (the browser did not know it), unknown to the
 * table, or the extension's own; a MIME entry ("image/png", "image/*") takes
 * that type declared and a name whose extension means a type that fits it.
 *
 * @example accepts([".png"], "me.png", "image/png") // true
 * @example accepts(["image/*"], "me.html", "image/png") // false: the name is not an image's
 */
export function accepts(accept: readonly string[], name: string, type: string): boolean {
  const ext = extensionOf(name);
  const t = type.toLowerCase();
  const implied = MIME[ext];
  return accept.some((a) => {
    const pat = a.toLowerCase();
    if (pat.startsWith(".")) return pat.slice(1) === ext && (t === "" || implied === undefined || implied === t);
    return typeFits(pat, t) && implied !== undefined && typeFits(pat, implied);
  });
}

/**
 * Checks a file's first bytes (`head`, up to {@link SNIFF_BYTES}; fewer only
 * when the file is shorter) against the signatures its name's extension and
 * its declared type imply. True when every implied type with a signature
 * matches one of its signatures (or none has one).
 *
 * @example sniff("me.png", "image/png", Buffer.from("GIF89a……")) // false
 */
export function sniff(name: string, type: string, head: Uint8Array): boolean {
  for (const t of new Set([MIME[extensionOf(name)], type.toLowerCase()])) {
    const sigs = t === undefined ? undefined : SIGNATURES[t];
    if (sigs !== undefined && !sigs.some((s) => matches(s, head))) return false;
  }
  return true;
}

function matches([at, bytes]: Signature, head: Uint8Array): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => b === null || head[at + i] === b);
}
