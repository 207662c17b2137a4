/**
 * Raw bytes on a fresh TCP connection, for requests no HTTP client will send
 * (a request target that is not a URL, a WebSocket handshake with hostile
 * headers). Resolves with what came back within the time limit.
 *
 * @example
 * const r = await rawRequest(base, "GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2000);
 * r.status; // "400", or undefined when nothing came back in time
 */
import { connect } from "node:net";

/** What came back: the status (undefined: no HTTP answer), the error code of a JSON body or an HTML error page, the raw text. */
export interface RawAnswer {
  readonly status: string | undefined;
  readonly code: string | undefined;
  readonly text: string;
}

/**
 * Writes `request` on a new connection to `base` and reads the answer until the
 * server closes, a 101 arrives, or `timeoutMs` passes.
 * @example const { status, code } = await rawRequest(base, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 2000);
 */
export function rawRequest(base: string, request: string, timeoutMs: number): Promise<RawAnswer> {
  const { port, hostname } = new URL(base);
  return new Promise((resolve) => {
    let got = "";
    let finished = false;
    const sock = connect(Number(port), hostname, () => sock.write(request));
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status: /^HTTP\/1\.1 (\d{3})/.exec(got)?.[1], code: (/"code":"([^"]*)"/.exec(got) ?? /<code>(E_[A-Z_]+)<\/code>/.exec(got))?.[1], text: got });
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on("data", (d) => {
      got += d.toString("latin1");
      // A completed handshake stays open: the status line is all we need.
      if (got.startsWith("HTTP/1.1 101")) done();
    });
    sock.on("close", done);
    sock.on("error", () => {});
  });
}
