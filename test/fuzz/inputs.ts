/**
 * The whole input space of a run: for each transport, hostile frames (over
 * SSE and HTTP they travel as POST bodies, `[frame]` or bare) and hostile
 * requests, drawn from one seeded fast-check arbitrary.
 *
 * @example
 * const arb = fuzzInput(["websocket", "sse", "http"], frameContext);
 * fc.sample(arb, { seed: 42, numRuns: 3 });
 */
import fc from "fast-check";
import { frameInput, type FrameContext, type FrameInput } from "./frame-inputs.ts";
import { DELIBERATE_FAILURES } from "./hostile-values.ts";
import type { Transport } from "./report.ts";
import { linkCreation } from "./link-inputs.ts";
import { requestInput, type BodyInput, type RequestInput } from "./request-inputs.ts";

/** One input, for one transport. */
export interface FuzzInput {
  readonly transport: Transport;
  readonly input: FrameInput | RequestInput;
}

/** Every input kind over `transports`, evenly spread across them. */
export function fuzzInput(transports: readonly Transport[], ctx: FrameContext): fc.Arbitrary<FuzzInput> {
  const frames = frameInput(ctx);
  const httpFrames = frameInput({ ...ctx, allowHuge: false });
  // Batches hold frames that fit a body: no bytes, nothing oversized.
  const frameTexts = httpFrames.filter((f) => typeof f.data === "string" && f.kind !== "oversized").map((f) => f.data as string);
  const per = (t: Transport): fc.Arbitrary<FuzzInput> => {
    const arb: fc.Arbitrary<FrameInput | RequestInput> = t === "websocket"
      ? fc.oneof({ weight: 12, arbitrary: frames }, { weight: 1, arbitrary: requestInput(t, frameTexts) })
      : fc.oneof(
        { weight: 6, arbitrary: fc.tuple(httpFrames, fc.boolean()).map(([f, bare]) => asBody(f, bare)) },
        { weight: 5, arbitrary: requestInput(t, frameTexts) },
        { weight: 1, arbitrary: linkCreation(t) },
      );
    return arb.map((input) => ({ transport: t, input }));
  };
  return fc.oneof(...transports.map(per));
}

/** A frame as an SSE/HTTP POST body: `[frame]` as the browser client sends it, or the bare envelope. */
function asBody(f: FrameInput, bare: boolean): BodyInput {
  const body = typeof f.data !== "string" ? f.data : bare ? f.data : `[${f.data}]`;
  return { via: "body", kind: f.kind, body, contentType: "application/json", chunked: false };
}

/** Handler names in an input whose failures the app's onError may legitimately report. */
export function failingHandlersIn(input: FrameInput | RequestInput): string[] {
  const text = input.via === "frame" ? input.data : input.via === "body" ? input.body : input.via === "fetch" ? (input.body ?? "") : "";
  if (typeof text !== "string") return [];
  return DELIBERATE_FAILURES.filter((n) => text.includes(`"${n}"`));
}
