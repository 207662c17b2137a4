// Bytes on the wire per update: what the client's sockets received because of
// one event (WebSocket frame header included; for SSE the stream event and the
// POST's 204; for HTTP the POST's answer, headers included, and a long-poll
// answer if one came). Each event is followed by a pause so that every byte
// it caused has arrived before the count is read.
import type { BenchClient, ViewName } from "../clients/types.ts";
import type { SystemSpec } from "../systems.ts";
import { median, sleep } from "../stats.ts";

/** Time for the last bytes of an update (a 204 after its stream event) to arrive. */
const SETTLE_MS = 25;

/** Bytes received per update, for events 1…samples after the join; the median, with every sample. */
export async function bytesPerUpdate(spec: SystemSpec, base: string, view: ViewName, samples: number): Promise<{ value: number; runs: number[] }> {
  const client: BenchClient = await spec.connect(base, view);
  try {
    await sleep(SETTLE_MS * 2);
    const runs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const before = client.bytesIn();
      await new Promise<void>((r) => client.fire(r));
      await sleep(SETTLE_MS);
      runs.push(client.bytesIn() - before);
    }
    return { value: median(runs), runs };
  } finally {
    client.close();
  }
}
