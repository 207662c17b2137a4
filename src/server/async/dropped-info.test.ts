import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DROP_LOG_INTERVAL_MS, infoDropReporter } from "./dropped-info.ts";

describe("dropped info messages", () => {
  it("counts every drop and warns at most once per interval, with the count since the last warning", () => {
    const lines: Record<string, unknown>[] = [];
    let counted = 0;
    let now = 1_000_000;
    const dropped = infoDropReporter({ warn: (fields) => void lines.push(fields) }, { infoDropped: () => void counted++ }, () => now);
    dropped("/chat", "message");
    for (let i = 0; i < 99; i++) dropped("/chat", "message");
    assert.equal(counted, 100);
    assert.deepEqual(lines, [{ view: "/chat", info: "message", dropped: 1 }]);
    now += DROP_LOG_INTERVAL_MS;
    dropped("/chat", "x".repeat(500));
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.dropped, 100);
    assert.equal((lines[1]!.info as string).length, 65, "a long name is clipped");
  });
});
