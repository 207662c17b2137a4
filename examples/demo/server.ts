// `npm start`: the demo app on PORT (default 3000), in-memory, no other service.
import { createDemo } from "./app.ts";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const app = createDemo();
const addr = await app.listen(port, host);
console.log(`Weft demo running at http://${host === "0.0.0.0" ? "localhost" : addr.address}:${addr.port}/`);

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    void app.close().then(() => process.exit(0));
  });
}
