/** Uploads (docs/uploads.md): the view option, the session's entries, the node's budget and temp files. */
export { checkUploads, resolveUpload, uploadConfig, MAX_CHUNK_BYTES, UPLOAD_DEFAULTS, type ResolvedUpload } from "./config.ts";
export { SessionUploads, cleanName, PROGRESS_MS, type ChunkAck, type ChunkBody } from "./session-uploads.ts";
export { UploadNode, defaultUploadDir, type UploadNodeOptions } from "./node.ts";
export { readDeclaration, readCancel, ENTRY_REF } from "./frames.ts";
export { accepts, sniff } from "./file-type.ts";
export type { UploadOptions, UploadEntry, UploadState, Uploads, UploadedFile, UploadBudget } from "./types.ts";
