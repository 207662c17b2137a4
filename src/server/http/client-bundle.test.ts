import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import * as messages from "../../protocol/messages.ts";
import { morphdom } from "../../client/dom-patch.ts";
import { buildClient, CLIENT_BUDGET, MANGLED_PROPS, trimMorphdom } from "./client-bundle.ts";

const require = createRequire(import.meta.url);

/** A property access or a member definition of `name` in minified code (not a word in a string). */
const memberOf = (name: string) => new RegExp(`\\.${name}\\b|[{},;]\\s*(?:get |set |async )?${name}\\s*[(:=]`);

/**
 * Every member name the TypeScript libraries declare (DOM, Web APIs, the
 * language's built-ins): the names a mangled property must never be. The
 * libraries sit in TypeScript's platform package (`@typescript/typescript-<os>-<cpu>/lib`).
 */
function libMemberNames(): Set<string> {
  const scope = join(dirname(require.resolve("typescript/package.json")), "..", "@typescript");
  const dirs = readdirSync(scope).map((d) => join(scope, d, "lib")).filter((d) => existsSync(join(d, "lib.dom.d.ts")));
  assert.ok(dirs.length > 0, `no TypeScript lib.dom.d.ts under ${scope}`);
  const names = new Set<string>();
  for (const file of readdirSync(dirs[0]!).filter((f) => /^lib\..*\.d\.ts$/.test(f))) {
    for (const m of readFileSync(join(dirs[0]!, file), "utf8").matchAll(/^\s+(?:readonly\s+)?(?:get\s+|set\s+)?([A-Za-z_$][\w$]*)\??\s*[(:<]/gm)) names.add(m[1]!);
  }
  return names;
}

describe("browser client bundle", () => {
  it(`stays within its budget of ${CLIENT_BUDGET} bytes gzipped, every feature in`, async () => {
    const code = await buildClient();
    const gzipped = gzipSync(code, { level: 9 }).length;
    assert.ok(gzipped <= CLIENT_BUDGET, `the client is ${gzipped} bytes gzipped, over its budget of ${CLIENT_BUDGET}: cut before adding`);
  });

  it("leaves the console log of dev pages (its hints) to the development part", async () => {
    const [main, dev] = await Promise.all([buildClient(), buildClient("dev")]);
    assert.doesNotMatch(main, /hint: |maxMessageBytes/, "the client every page loads carries no dev hints");
    assert.match(dev, /hint: /);
    assert.match(dev, /raise the server's maxMessageBytes/);
  });

  it("leaves the development warnings (a hook with no registration, a bad JS command list) to the development part", async () => {
    const [main, dev] = await Promise.all([buildClient(), buildClient("dev")]);
    assert.doesNotMatch(main, /weft: no hook|weft E_CLIENT_JS/, "the client every page loads has no development warning");
    assert.deepEqual(main.match(/console\.warn\([^)]*\)/g), ['console.warn("weft.sim: dev only")'], "its one warning: weft.sim outside development mode");
    assert.match(dev, /weft: no hook/);
    assert.match(dev, /weft E_CLIENT_JS/);
  });

  it("leaves the devtools (overlay, simulator, wire log) to the development part", async () => {
    const [main, dev] = await Promise.all([buildClient(), buildClient("dev")]);
    for (const part of ["weft-devtools", "Weft devtools", "attachShadow", "latencyMs", "round trip"]) {
      assert.ok(!main.includes(part), `the client every page loads has no ${part}`);
      assert.ok(dev.includes(part), `the development part has ${part}`);
    }
  });

  it("shortens the client's own private member names (MANGLED_PROPS): none is left in the bundle", async () => {
    const main = await buildClient();
    const left = MANGLED_PROPS.filter((name) => memberOf(name).test(main));
    assert.deepEqual(left, [], `still in the bundle: ${left.join(", ")}`);
  });

  it("mangles no name of a DOM or Web API member, a built-in, or a protocol constant's key", () => {
    const lib = libMemberNames();
    assert.ok(lib.has("getAttribute") && lib.has("abort") && lib.has("round"), "the library names were read");
    const clash = MANGLED_PROPS.filter((name) => lib.has(name));
    assert.deepEqual(clash, [], `names of DOM/Web/ES members: ${clash.join(", ")}`);
    const keys = new Set(Object.values(messages).flatMap((v) => (typeof v === "object" && v !== null ? Object.keys(v) : [])));
    const wire = MANGLED_PROPS.filter((name) => keys.has(name));
    assert.deepEqual(wire, [], `keys of protocol/messages.ts constants: ${wire.join(", ")}`);
    assert.equal(new Set(MANGLED_PROPS).size, MANGLED_PROPS.length, "no name twice");
    for (const name of MANGLED_PROPS) assert.match(name, /^[A-Za-z]\w*$/, "a plain name, not a pattern");
  });

  it("builds morphdom without its paths for an HTML string target, a page node in the target and virtual DOM, and refuses a morphdom it does not know", async () => {
    const main = await buildClient();
    assert.doesNotMatch(main, /createContextualFragment|#document|toUpperCase\(\)==="BODY"/, "the string-to-node parsing is gone");
    assert.doesNotMatch(main, /isSameNode|actualize/, "so are the checks for a page node in the target and for virtual-DOM targets");
    assert.match(main, /OPTGROUP/, "morphdom itself is in");
    const source = readFileSync(require.resolve("morphdom/dist/morphdom-esm.js"), "utf8");
    assert.doesNotMatch(trimMorphdom(source), /typeof toNode === 'string'/);
    assert.doesNotMatch(trimMorphdom(source), /toNode\.nodeType === DOCUMENT_FRAGMENT_NODE|morphedNodeType === TEXT_NODE/, "both nodes are elements");
    for (const option of ["onBeforeNodeAdded", "onBeforeNodeDiscarded", "skipFromChildren", "addChild", "onElUpdated", "onNodeDiscarded"]) {
      assert.match(source, new RegExp(`options\\.${option}\\b`));
      assert.doesNotMatch(trimMorphdom(source), new RegExp(`options\\.${option}\\b|${option}\\(`), `${option} is read no more`);
    }
    // The client cannot pass an option the build drops (type-checked, never run).
    // @ts-expect-error addChild is not an option of the client's morphdom
    void (() => morphdom(document, document, { addChild: (p: Node, c: Node) => p.appendChild(c) }));
    // @ts-expect-error nor is onNodeDiscarded
    void (() => morphdom(document, document, { onNodeDiscarded: () => {} }));
    assert.throws(() => trimMorphdom(source.replace("typeof toNode === 'string'", "typeof toNode == 'string'")), /expects `typeof toNode === 'string'` once in morphdom/);
    assert.throws(() => trimMorphdom(source + "\nvar HAS_RANGE_SUPPORT = !!doc && doc.createRange && 'createContextualFragment' in doc.createRange();"), /once in morphdom/);
    assert.throws(() => trimMorphdom(source.replace("if (morphedNode.actualize) {", "if (morphedNode.actualize){")), /expects `if \(morphedNode.actualize\) \{` once in morphdom/);
  });
});
