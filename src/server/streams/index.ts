/** Streams: collections the server does not keep (docs/streams.md). */
export { stream, StreamRef, StreamError, beginStreams, endStreams, streamAttr } from "./ref.ts";
export { StreamBuffer, domIdOf, type StreamOptions } from "./buffer.ts";
