// `npm run demo:cluster`: the demo on two nodes sharing one Redis, behind
// nginx balancing round-robin (no sticky sessions). Open the printed address
// in two tabs, chat, then stop a node (its pid is printed): the pages carry on.
// Needs Debian's redis-server and nginx; says what is missing otherwise.
import { existsSync } from "node:fs";
import { freePort, Nginx, NGINX } from "../test/support/nginx.ts";
import { NodeProcess } from "../test/support/node-process.ts";
import { REDIS_SERVER, RedisServer } from "../test/support/redis.ts";

const missing = [
  existsSync(REDIS_SERVER) ? undefined : "redis-server (apt-get install redis-server)",
  existsSync(NGINX) ? undefined : "nginx (apt-get install nginx-light)",
].filter((m) => m !== undefined);
if (missing.length > 0) {
  console.error(`demo:cluster needs ${missing.join(" and ")}.\nOne node without them: npm start`);
  process.exit(1);
}

const secret = process.env.WEFT_SECRET ?? "demo-cluster-secret-change-me-0123456789";
const redis = new RedisServer();
const url = await redis.start();
const nodes = [new NodeProcess(await freePort(), { REDIS_URL: url, WEFT_SECRET: secret }), new NodeProcess(await freePort(), { REDIS_URL: url, WEFT_SECRET: secret })];
await Promise.all(nodes.map((n) => n.start()));
const nginx = new Nginx(nodes.map((n) => n.port), { upgrade: true }, Number(process.env.PORT ?? 3000));
const base = await nginx.start();
console.log(`Redis at ${url}`);
for (const [i, n] of nodes.entries()) console.log(`node ${i + 1} at ${n.base} (pid ${n.pid})`);
console.log(`Weft cluster demo running at ${base}/ (nginx, round-robin, no sticky sessions)`);
console.log("Try /chat in two tabs; `kill <pid>` a node and keep going. Ctrl-C stops everything.");

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await nginx.stop();
      await Promise.all(nodes.map((n) => n.stop()));
      await redis.close();
      process.exit(0);
    })();
  });
}
