/** Uploads (docs/uploads.md): what the session and the connection take from here; the rest is imported from its own file. */
export { SessionUploads, type ChunkAck, type ChunkBody } from "./session-uploads.ts";
export type { UploadNode } from "./node.ts";
export { readDeclaration, readCancel } from "./frames.ts";
