/**
 * The node process of the cluster e2e test: the demo app (its layout, Redis
 * from REDIS_URL, the chat, the upload page) with a counter whose `slow` handler awaits
 * (SLOW_MS, default 1 500 ms) before it applies, so a node can be killed or
 * shut down while an event is in flight.
 */
import { createDemo } from "../../examples/demo/app.ts";
import { Chat } from "../../examples/demo/views/chat.ts";
import { Upload } from "../../examples/demo/views/upload.ts";
import { defineView, html } from "../../src/index.ts";

const SLOW_MS = Number(process.env.SLOW_MS ?? 1_500);

const Counter = defineView({
  title: "Counter",
  mount: () => ({ count: 0 }),
  events: {
    inc: (s) => ({ count: s.count + 1 }),
    slow: async (s) => {
      // The test waits for this line: the handler is running on this node.
      console.log("slow handler started");
      await new Promise((r) => setTimeout(r, SLOW_MS));
      return { count: s.count + 1 };
    },
  },
  render: (s) => html`
    <p class="big" id="count">${s.count}</p>
    <button weft-click="inc" id="inc">+</button>
    <button weft-click="slow" id="slow">+ slowly</button>`,
});

const port = Number(process.env.PORT ?? 3000);
const app = createDemo({ views: { "/counter": Counter, "/chat": Chat, "/upload": Upload } });
const addr = await app.listen(port, process.env.HOST ?? "127.0.0.1");
console.log(`Weft cluster node running at http://${addr.address}:${addr.port}/`);
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void app.close().then(() => process.exit(0)));
