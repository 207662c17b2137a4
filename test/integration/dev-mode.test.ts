import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";

/** The page's script tag and the error an unknown event "incr" gets, on an app with `dev`. */
async function probe(dev: boolean): Promise<{ script: string; message: string | undefined }> {
  const { app, base } = await startApp({ dev });
  try {
    const { html, token } = await getPage(base, "/counter");
    const c = await ProtocolClient.connect(base);
    await c.join(1, token);
    const answer = await c.event(1, "incr");
    c.wire.close();
    return { script: /<script [^>]*weft\/client\.js[^>]*>/.exec(html)?.[0] ?? "", message: answer.m };
  } finally {
    await app.close();
  }
}

describe("dev mode", () => {
  it("marks the page's script tag and names the view's events for an unknown event", async () => {
    const { script, message } = await probe(true);
    assert.match(script, / data-dev[ >]/);
    assert.equal(message, 'the view has no handler "incr" — did you mean "inc"? (its events: inc, add, slow, same, boom, push, pushApart)');
  });

  it("in production leaves the tag unmarked and names only the event", async () => {
    const { script, message } = await probe(false);
    assert.doesNotMatch(script, /data-dev/);
    assert.equal(message, 'the view has no handler "incr"');
  });

  it("says why a render failed in dev, and only the code's text in production", async () => {
    for (const dev of [true, false]) {
      const { app, base } = await startApp({ dev });
      try {
        const { token } = await getPage(base, "/bad");
        const c = await ProtocolClient.connect(base);
        await c.join(1, token);
        const answer = await c.event(1, "breakIt");
        c.wire.close();
        assert.equal(answer.c, "E_RENDER");
        if (dev) assert.match(String(answer.m), /: render exploded$/);
        else assert.doesNotMatch(String(answer.m), /exploded/);
      } finally {
        await app.close();
      }
    }
  });
});
