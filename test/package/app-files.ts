/**
 * The files of the fresh apps that the packaging test installs the package
 * into: what a user writes after `npm install weft-live`.
 */

const SECRET = "package-test-secret-0123456789abcdef";

/** An ESM app (package.json "type": "module") run with plain `node app.mjs`. */
export const ESM_APP = {
  "package.json": JSON.stringify({ name: "fresh-esm-app", private: true, type: "module" }, null, 2),
  "app.mjs": `import { createWeft, defineView, html } from "weft-live";

const Counter = defineView({
  mount: () => ({ count: 0 }),
  events: { inc: (s) => ({ count: s.count + 1 }) },
  render: (s) => html\`<p id="count">\${s.count}</p><button id="inc" weft-click="inc">+</button>\`,
});

const app = createWeft({ views: { "/": Counter }, secret: "${SECRET}" });
const addr = await app.listen(0, "127.0.0.1");
console.log(\`listening \${addr.port}\`);
`,
  // A strict NodeNext project; no @types/* in the app's own package.json, and the
  // package's declarations are checked too (skipLibCheck off).
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true,
      isolatedModules: true, verbatimModuleSyntax: true, skipLibCheck: false,
      exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
    },
    files: ["app.ts"],
  }, null, 2),
  "app.ts": `import { createWeft, defineView, html, type WeftApp } from "weft-live";

const Counter = defineView({
  mount: () => ({ count: 0 }),
  events: {
    inc: (s) => ({ count: s.count + 1 }),
    add: (s, payload) => ({ count: s.count + Number(payload["n"] ?? 1) }),
  },
  render: (s) => html\`<p id="count">\${s.count}</p><button id="inc" weft-click="inc">+</button>\`,
});

export const app: WeftApp = createWeft({ views: { "/": Counter }, secret: "${SECRET}" });
export const port: number = (await app.listen(0, "127.0.0.1")).port;
`,
  // The same project, checking only bad.ts: a handler whose state is not the view's.
  "tsconfig.bad.json": JSON.stringify({ extends: "./tsconfig.json", files: ["bad.ts"] }, null, 2),
  "bad.ts": `import { defineView, html } from "weft-live";

// Every parameter is annotated, so that only the handler's mismatch can fail it.
export const Counter = defineView({
  mount: (): { count: number } => ({ count: 0 }),
  events: { inc: (s: { count: string }) => ({ count: s.count + "1" }) },
  render: (s: { count: number }) => html\`<p>\${s.count}</p>\`,
});
`,
  // The test kit's declarations, in the same strict project.
  "tsconfig.kit.json": JSON.stringify({ extends: "./tsconfig.json", files: ["kit.ts"] }, null, 2),
  "kit.ts": `import { defineView, html } from "weft-live";
import { mountView, type MountedView } from "weft-live/testing";

const Counter = defineView({
  mount: () => ({ count: 0 }),
  events: { inc: (s) => ({ count: s.count + 1 }) },
  render: (s) => html\`<p id="count">\${s.count}</p><button id="inc" weft-click="inc">+</button>\`,
});
const v: MountedView = await mountView(Counter);
await v.click("#inc");
export const text: string = v.text("#count");
`,
  // The test kit, through the package's own subpath, on plain node.
  "kit.mjs": `import { defineView, html } from "weft-live";
import { mountView } from "weft-live/testing";

const Counter = defineView({
  mount: () => ({ count: 0 }),
  events: { inc: (s) => ({ count: s.count + 1 }) },
  render: (s) => html\`<p id="count">\${s.count}</p><button id="inc" weft-click="inc">+</button>\`,
});
const v = await mountView(Counter);
await v.click("#inc");
console.log(\`count \${v.text("#count")}\`);
`,
};

/** A CommonJS app as \`npm init -y\` makes it, requiring the package. */
export const CJS_APP = {
  "app.js": `const { createWeft, defineView, html } = require("weft-live");

const Counter = defineView({
  mount: () => ({ count: 0 }),
  events: { inc: (s) => ({ count: s.count + 1 }) },
  render: (s) => html\`<p id="count">\${s.count}</p>\`,
});
const app = createWeft({ views: { "/": Counter }, secret: "${SECRET}" });
app.listen(0, "127.0.0.1").then(async (addr) => {
  const page = await (await fetch(\`http://127.0.0.1:\${addr.port}/\`)).text();
  console.log(page.includes('<p id="count">0</p>') ? "served the counter" : \`unexpected page: \${page}\`);
  await app.close();
});
`,
};
