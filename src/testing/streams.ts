/**
 * The test kit's copy of a view's streams, as the browser holds them
 * (client/streams.ts does the same on the DOM): items by dom id in order, per
 * stream, and the view's HTML with each container's items put in.
 */
import { ATTR, type StreamOp } from "../protocol/messages.ts";

/** A stream container's start tag, its stream's name captured (made once, not per frame). */
const CONTAINER = new RegExp(`${ATTR.stream}="([\\w-]+)"[^>]*>`, "g");

/**
 * Stream items by container name, in order: `[domId, html]`.
 *
 * @example
 * const m = new StreamModel();
 * m.apply([["rows", "rows-1", -1, '<li id="rows-1">a</li>']]);
 * m.fill('<ul weft-stream="rows"></ul>'); // '<ul weft-stream="rows"><li id="rows-1">a</li></ul>'
 */
export class StreamModel {
  private readonly lists = new Map<string, [string, string][]>();

  /** Applies ops in order (the browser's rules: insert, update in place, delete, prune, reset). */
  apply(ops: readonly StreamOp[] | undefined): void {
    for (const [name, id, at, html, limit] of ops ?? []) {
      let list = this.lists.get(name);
      if (list === undefined) this.lists.set(name, (list = []));
      if (id === undefined) list.length = 0;
      const i = list.findIndex(([k]) => k === id);
      if (html === undefined) {
        if (i >= 0) list.splice(i, 1);
        continue;
      }
      if (i >= 0) list[i] = [id!, html];
      else list.splice(at! < 0 ? list.length : Math.min(at!, list.length), 0, [id!, html]);
      if (limit !== undefined && list.length > Math.abs(limit)) {
        if (limit > 0) list.length = limit;
        else list.splice(0, list.length + limit);
      }
    }
  }

  /** Forgets every item (a full render empties the containers; its ops fill them). */
  clear(): void {
    this.lists.clear();
  }

  /** The dom ids of stream `name`, in order. */
  ids(name: string): string[] {
    return (this.lists.get(name) ?? []).map(([id]) => id);
  }

  /** `html` with each stream container's items after its start tag (containers render empty). */
  fill(html: string): string {
    if (this.lists.size === 0) return html;
    return html.replace(CONTAINER, (tag, name: string) => tag + (this.lists.get(name) ?? []).map(([, h]) => h).join(""));
  }
}
