// A LiveViewJS client speaking the Phoenix channel protocol (serializer
// vsn 2.0.0: [join_ref, ref, topic, event, payload]) as phoenix.js and
// phoenix_live_view do: GET the page for its CSRF token, session and view id,
// phx_join the view's topic over /live/websocket, then click events, each
// answered by a phx_reply carrying the diff with the same ref. A Phoenix
// heartbeat every 25 s keeps the server from closing the socket after 60 s.
import WebSocket from "ws";
import { withTimeout } from "../stats.ts";
import { HttpPeer } from "./http.ts";
import type { Connect } from "./types.ts";

const pagePeers = new Map<string, HttpPeer>();

export const liveviewjsWs: Connect = async (base) => {
  let pages = pagePeers.get(base);
  if (pagePeers.get(base) === undefined) pagePeers.set(base, (pages = new HttpPeer(base)));
  const page = await pages!.fetch("GET", "/counter");
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.body)?.[1];
  const session = /data-phx-session="([^"]+)"/.exec(page.body)?.[1];
  const id = /id="(phx-[^"]+)"/.exec(page.body)?.[1];
  if (page.status !== 200 || csrf === undefined || session === undefined || id === undefined) throw new Error(`liveviewjs page: ${page.status} ${page.body.slice(0, 300)}`);

  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/live/websocket?vsn=2.0.0`, { headers: { origin: base } });
  let socket: { bytesRead: number } | undefined;
  ws.on("upgrade", (res) => (socket = res.socket));
  await withTimeout(new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  }), 10_000, "liveviewjs ws open");
  ws.on("error", () => {});

  const topic = `lv:${id}`;
  const JOIN_REF = "4";
  const waiting = new Map<string, () => void>();
  ws.on("message", (data) => {
    const [, ref, , event] = JSON.parse(String(data)) as [string | null, string | null, string, string, unknown];
    if (event === "phx_reply" && ref !== null) {
      const done = waiting.get(ref);
      waiting.delete(ref);
      done?.();
    }
  });
  let ref = 4;
  const send = (event: string, payload: unknown, done: () => void, joinRef: string | null = JOIN_REF, t = topic) => {
    const r = String(++ref);
    waiting.set(r, done);
    ws.send(JSON.stringify([joinRef, r, t, event, payload]));
  };
  await withTimeout(new Promise<void>((resolve) => {
    const url = `${base}/counter`;
    send("phx_join", { url, params: { _csrf_token: csrf, _mounts: 0 }, session, static: "" }, resolve);
  }), 15_000, "liveviewjs phx_join");
  const beat = setInterval(() => send("heartbeat", {}, () => {}, null, "phoenix"), 25_000);
  beat.unref();
  const click = { type: "click", event: "inc", value: { value: "" } };
  return {
    fire: (done) => send("event", click, done),
    bytesIn: () => socket?.bytesRead ?? 0,
    close: () => {
      clearInterval(beat);
      ws.terminate();
    },
  };
};
