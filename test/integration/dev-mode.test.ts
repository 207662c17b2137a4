import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";

/**
 * The page's script tag, the tag of the client's development part (and that
 * part as served), and the error an unknown event "incr" gets, on an app with `dev`.
 */
async function probe(dev: boolean): Promise<{ script: string; devScript: string | undefined; devCode: string | undefined; message: string | undefined }> {
  // Development mode without hot reload's watcher (docs/hot-reload.md): `dev: true` would watch the views' folder.
  const { app, base } = await startApp({ dev: dev && { watch: false } });
  try {
    const { html, token } = await getPage(base, "/counter");
    const c = await ProtocolClient.connect(base);
    await c.join(1, token);
    const answer = await c.event(1, "incr");
    c.wire.close();
    const devScript = /<script src="(\/weft\/client-dev\.js\?v=[^"]+)" defer><\/script><script [^>]*weft\/client\.js/.exec(html)?.[1];
    const devCode = devScript === undefined ? undefined : await (await fetch(base + devScript)).text();
    return { script: /<script [^>]*weft\/client\.js[^>]*>/.exec(html)?.[0] ?? "", devScript, devCode, message: answer.m };
  } finally {
    await app.close();
  }
}

describe("dev mode", () => {
  it("marks the page's script tag, links the client's development part before it and names the view's events for an unknown event", async () => {
    const { script, devScript, devCode, message } = await probe(true);
    assert.match(script, / data-dev[ >]/);
    assert.ok(devScript !== undefined, "a dev page links /weft/client-dev.js before the client");
    assert.match(devCode ?? "", /hint: /, "the development part holds the console log with its hints");
    assert.equal(message, 'the view has no handler "incr" — did you mean "inc"? (its events: inc, add, slow, same, boom, push, pushApart)');
  });

  it("in production leaves the tag unmarked, links no development part and names only the event", async () => {
    const { script, devScript, message } = await probe(false);
    assert.doesNotMatch(script, /data-dev/);
    assert.equal(devScript, undefined);
    assert.equal(message, 'the view has no handler "incr"');
  });

  it("says why a render failed in dev, and only the code's text in production", async () => {
    for (const dev of [true, false]) {
      const { app, base } = await startApp({ dev: dev && { watch: false } });
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
