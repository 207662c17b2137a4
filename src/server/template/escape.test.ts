import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeHtml, sanitizeUrl, URL_ATTRIBUTES } from "./escape.ts";

const UNSAFE = "about:invalid#weft-unsafe-url";

describe("escapeHtml", () => {
  it("escapes the five HTML-special characters", () => {
    assert.equal(escapeHtml(`&<>"'`), "&amp;&lt;&gt;&quot;&#39;");
  });

  it("escapes a tag so that it reads as text", () => {
    assert.equal(escapeHtml("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("escapes quotes so that an attribute value cannot be closed", () => {
    assert.equal(escapeHtml(`x" onmouseover="alert(1)`), "x&quot; onmouseover=&quot;alert(1)");
    assert.equal(escapeHtml(`x' onmouseover='alert(1)`), "x&#39; onmouseover=&#39;alert(1)");
  });

  it("escapes an ampersand that would otherwise start an entity", () => {
    assert.equal(escapeHtml("&lt;"), "&amp;lt;");
    assert.equal(escapeHtml("&quot;"), "&amp;quot;");
  });

  it("returns strings without special characters unchanged", () => {
    for (const s of ["", "Ada Lovelace", "42", "héllo wörld ✓ 🎉", "a=b; c:d / e"]) assert.equal(escapeHtml(s), s);
  });

  it("escapes every occurrence, not just the first", () => {
    assert.equal(escapeHtml("<<>>"), "&lt;&lt;&gt;&gt;");
    assert.equal(escapeHtml(`""''&&`), "&quot;&quot;&#39;&#39;&amp;&amp;");
  });

  it("leaves other characters, including odd unicode, in place", () => {
    const s = "\u0000\u202e\ufeff\ud800 `=/";
    assert.equal(escapeHtml(s), s);
  });
});

describe("sanitizeUrl", () => {
  it("lets relative URLs through", () => {
    for (const u of ["", "/", "/a/b?c=d#e", "a/b", "./x", "../x", "?q=1", "#top", "//cdn.example.com/x.js", "/a:b", "a/b:c", "?x=javascript:1", "#javascript:1"]) {
      assert.equal(sanitizeUrl(u), u, u);
    }
  });

  it("lets http, https, mailto and tel URLs through", () => {
    for (const u of ["http://example.com", "https://example.com/x?y=1", "HTTPS://EXAMPLE.COM", "mailto:ada@example.com", "tel:+44 20 7946 0000"]) {
      assert.equal(sanitizeUrl(u), u, u);
    }
  });

  it("neutralises javascript: URLs", () => {
    assert.equal(sanitizeUrl("javascript:alert(1)"), UNSAFE);
  });

  it("neutralises a javascript: scheme in any letter case", () => {
    assert.equal(sanitizeUrl("JaVaScRiPt:alert(1)"), UNSAFE);
    assert.equal(sanitizeUrl("JAVASCRIPT:alert(1)"), UNSAFE);
  });

  it("neutralises a javascript: scheme split by whitespace or control characters", () => {
    for (const u of ["java\tscript:alert(1)", "java\nscript:alert(1)", "java\rscript:alert(1)", "jav\u0000ascript:alert(1)", "javascript\t:alert(1)"]) {
      assert.equal(sanitizeUrl(u), UNSAFE, JSON.stringify(u));
    }
  });

  it("neutralises a javascript: scheme behind leading whitespace or control characters", () => {
    for (const u of [" javascript:alert(1)", "\n\tjavascript:alert(1)", "\u0001javascript:alert(1)", "\u007fjavascript:alert(1)"]) {
      assert.equal(sanitizeUrl(u), UNSAFE, JSON.stringify(u));
    }
  });

  it("neutralises data: and vbscript: URLs", () => {
    assert.equal(sanitizeUrl("data:text/html,<script>alert(1)</script>"), UNSAFE);
    assert.equal(sanitizeUrl("DATA:text/html;base64,PHNjcmlwdD4="), UNSAFE);
    assert.equal(sanitizeUrl("vbscript:msgbox(1)"), UNSAFE);
    assert.equal(sanitizeUrl(" VBScript:msgbox(1)"), UNSAFE);
  });

  it("neutralises unknown schemes", () => {
    assert.equal(sanitizeUrl("file:///etc/passwd"), UNSAFE);
    assert.equal(sanitizeUrl("blob:https://x/1"), UNSAFE);
  });

  it("does not mistake a safe-looking prefix for a safe scheme", () => {
    assert.equal(sanitizeUrl("https-evil:x"), UNSAFE);
    assert.equal(sanitizeUrl("httpsjavascript:alert(1)"), UNSAFE);
  });
});

describe("URL_ATTRIBUTES", () => {
  it("names the attributes a browser navigates to or loads from", () => {
    for (const a of ["href", "src", "action", "formaction", "poster", "xlink:href"]) assert.ok(URL_ATTRIBUTES.has(a), a);
    assert.ok(!URL_ATTRIBUTES.has("class"));
    assert.ok(!URL_ATTRIBUTES.has("title"));
  });
});
