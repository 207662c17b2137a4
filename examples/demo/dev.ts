// `npm run dev`: the demo with development hot reload (docs/hot-reload.md) —
// save a module under examples/demo/views or examples/demo/demo.css and every
// open page shows the change, keeping its state. Otherwise as `npm start`.
import { fileURLToPath } from "node:url";
import { createDemo } from "./app.ts";
import { DEMO_CSS } from "./assets.ts";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const app = createDemo({ dev: { watch: [fileURLToPath(new URL("./views", import.meta.url))], css: [fileURLToPath(DEMO_CSS.file)] } });
const addr = await app.listen(port, host);
console.log(`Weft demo (hot reload) running at http://${host === "0.0.0.0" ? "localhost" : addr.address}:${addr.port}/`);

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    void app.close().then(() => process.exit(0));
  });
}
