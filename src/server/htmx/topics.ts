/**
 * Topics for htmx subscribers: allowed patterns, each broadcast rendered as
 * HTML or JSON, a log for Last-Event-ID replay. STUB: to be built.
 */
import type { IncomingMessage } from "node:http";
import type { Core } from "../core.ts";
import type { HtmxSender } from "./out.ts";
import type { ResolvedHtmx } from "./options.ts";

/** The node's htmx topic subscribers. */
export class HtmxTopics {
  constructor(private readonly core: Core, private readonly htmx: ResolvedHtmx) {}
  /** Whether `topic` matches one of the allowed patterns. */
  allows(topic: string): boolean {
    return this.htmx.topics.some((r) => (r.prefix ? topic.startsWith(r.name) : topic === r.name));
  }
  /**
   * Delivers `topic` to `sender` until it closes: first a replay after
   * `lastEventId` (SSE) or the topic's `current`, then every broadcast.
   */
  async open(req: IncomingMessage, topic: string, sender: HtmxSender, lastEventId: string | undefined): Promise<void> {
    void req;
    void topic;
    void sender;
    void lastEventId;
    void this.core;
  }
  /** Stops every subscription (app.close()). */
  close(): void {}
}
