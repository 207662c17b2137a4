import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { until } from "../../../test/support/until.ts";
import { postChunk } from "./link.ts";

const real = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = real;
});

/** Posts one chunk with `fetch` answering `answer`; resolves with what was delivered and the request made. */
async function post(answer: () => Promise<Response>): Promise<{ frames: unknown[]; url: string; init: RequestInit }> {
  let url = "";
  let init: RequestInit = {};
  let settled = false;
  globalThis.fetch = (async (u: string, i: RequestInit) => {
    url = u;
    init = i;
    try {
      return await answer();
    } finally {
      setTimeout(() => (settled = true), 10);
    }
  }) as typeof fetch;
  const frames: unknown[] = [];
  postChunk("/weft/sse?l=LINK", new AbortController().signal, 3, "q5mF0Jm3tUeZ2c8xR1o9", 65536, new Blob([new Uint8Array(4)]), (f) => frames.push(JSON.parse(f)));
  await until(() => settled || frames.length > 0, 2000, "the answer");
  return { frames, url, init };
}

describe("postChunk", () => {
  it("POSTs the bytes as octet-stream to the link's URL with view, ref and offset, and delivers the ack as an upload-ack frame", async () => {
    const { frames, url, init } = await post(async () => new Response('{"o":65540}', { status: 200 }));
    assert.equal(url, "/weft/sse?l=LINK&v=3&u=q5mF0Jm3tUeZ2c8xR1o9&o=65536");
    assert.equal(init.method, "POST");
    assert.deepEqual(init.headers, { "Content-Type": "application/octet-stream" });
    assert.ok(init.body instanceof Blob);
    assert.deepEqual(frames, [{ t: "u", v: 3, d: ["q5mF0Jm3tUeZ2c8xR1o9", 65540, 0] }]);
  });

  it("delivers Weft's refusal code from the answer's body", async () => {
    const { frames } = await post(async () => new Response('{"error":{"code":"E_UPLOAD_ORDER","message":"…"}}', { status: 409 }));
    assert.deepEqual(frames, [{ t: "u", v: 3, d: ["q5mF0Jm3tUeZ2c8xR1o9", null, "E_UPLOAD_ORDER"] }]);
  });

  it("reads an answer that is not Weft's (an HTML page, JSON without a count) as E_CLIENT_TRANSPORT", async () => {
    for (const body of ["<h1>413 Request Entity Too Large</h1>", "{}", '{"error":"too large"}']) {
      const { frames } = await post(async () => new Response(body, { status: 413 }));
      assert.deepEqual(frames, [{ t: "u", v: 3, d: ["q5mF0Jm3tUeZ2c8xR1o9", null, "E_CLIENT_TRANSPORT"] }], body);
    }
  });

  it("delivers nothing when the request fails on the way (the rejoin resumes the entry)", async () => {
    const { frames } = await post(async () => {
      throw new TypeError("Failed to fetch");
    });
    assert.deepEqual(frames, []);
  });
});
