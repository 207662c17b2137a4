/** Views shared by the integration tests. */
import { defineView, html } from "../../src/index.ts";

export let counterMounts = 0;

/**
 * What a test view throws on purpose: a handler (or the render after it) that
 * means to fail, or refuses a payload it cannot use. `handler` is the event
 * that leads to it. The fuzz report accepts only these from the views: any
 * other error out of a handler is a finding (the framework handed it bad input).
 */
export class DeliberateError extends Error {
  constructor(readonly handler: string, message: string) {
    super(message);
    this.name = "DeliberateError";
  }
}

/** `p[key]` when it is a number (or absent: `absent`); anything else is refused on purpose. */
function numberIn(handler: string, p: Record<string, unknown>, key: string, absent: number): number {
  const v = p[key] ?? absent;
  if (typeof v !== "number") throw new DeliberateError(handler, `${key} must be a number`);
  return v;
}

export const Counter = defineView({
  mount: (params) => {
    counterMounts++;
    return { count: Number(params.start ?? 0) };
  },
  events: {
    inc: (s) => ({ count: s.count + 1 }),
    add: (s, p) => ({ count: s.count + numberIn("add", p, "by", 1) }),
    slow: async (s) => {
      await new Promise((r) => setTimeout(r, 30));
      return { count: s.count + 100 };
    },
    same: (s) => s,
    boom: () => {
      throw new DeliberateError("boom", "handler exploded");
    },
    push: (s, _p, ctx) => {
      ctx.pushEvent("hello", { n: s.count });
    },
    // The context's effects are getters on its prototype: taken apart, they still work.
    pushApart: (s, _p, { pushEvent, navigate }) => {
      pushEvent("apart", { n: s.count });
      navigate("/counter?start=9");
    },
  },
  render: (s) => html`<div><p>Count: <b>${s.count}</b></p><button weft-click="inc">+</button></div>`,
});

export const Ticker = defineView({
  mount: (_p, ctx) => {
    ctx.schedule("tick", null, 20);
    return { ticks: 0 };
  },
  info: {
    tick: (s, _p, ctx) => {
      if (s.ticks < 1000) ctx.schedule("tick", null, 20);
      return { ticks: s.ticks + 1 };
    },
  },
  render: (s) => html`<span>${s.ticks}</span>`,
});

export const Items = defineView({
  mount: () => ({ items: ["a", "b"] as string[] }),
  events: {
    add: (s, p) => {
      if (typeof p.text !== "string") throw new DeliberateError("add", "text must be a string");
      return { items: [...s.items, p.text] };
    },
  },
  render: (s) => html`<ul>${s.items.map((i) => html`<li>${i}</li>`)}</ul>`,
});

export const BadRender = defineView({
  mount: () => ({ n: 0, broken: false }),
  events: { breakIt: (s) => ({ ...s, broken: true }) },
  render: (s) => {
    if (s.broken) throw new DeliberateError("breakIt", "render exploded");
    return html`<i>${s.n}</i>`;
  },
});

/** Shows who is signed in; only signed-in sessions may use it. */
export const Profile = defineView({
  auth: (session) => typeof session.user === "string",
  mount: (_p, ctx) => ({ user: String(ctx.session.user), n: 0 }),
  events: { inc: (s) => ({ ...s, n: s.n + 1 }) },
  render: (s) => html`<p>${s.user}: ${s.n}</p>`,
});

/** Admins only. */
export const Admin = defineView({
  auth: (session) => session.role === "admin",
  mount: () => ({}),
  render: () => html`<p>admin</p>`,
});

/** A minimal Standard Schema (https://standardschema.dev): `{ n: integer }`. */
export const intSchema = {
  "~standard": {
    version: 1 as const,
    vendor: "test",
    validate: (value: unknown) => {
      const n = (value as { n?: unknown } | null)?.n;
      return typeof n === "number" && Number.isInteger(n) ? { value: { n } } : { issues: [{ message: "n must be an integer" }] };
    },
  },
};

export let setCalls = 0;

/** Validation, a per-handler rate limit, and an echo of the payload's keys. */
export const Guarded = defineView({
  mount: () => ({ n: 0, keys: "" }),
  events: {
    set: { schema: intSchema, run: (s, p) => { setCalls++; return { ...s, n: p.n }; } },
    slow: { rateLimit: { perSecond: 0.5, burst: 2 }, run: (s) => ({ ...s, n: s.n + 1 }) },
    echo: (s, p) => ({ ...s, keys: Object.keys(p).sort().join(",") + (Object.getPrototypeOf(p) === Object.prototype ? "" : "!proto") }),
  },
  render: (s) => html`<i>${s.n}</i><b>${s.keys}</b>`,
});
