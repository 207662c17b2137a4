import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8Length } from "../limits.ts";
import { batchSize, MAX_BATCH, PostQueue } from "./post-queue.ts";

/** A post function whose calls the test answers by hand. */
function manualPost() {
  const bodies: string[] = [];
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      bodies.push(body);
      pending.push({ resolve, reject });
    });
  return { bodies, pending, post };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("batchSize", () => {
  it("counts UTF-8 bytes, not UTF-16 units", () => {
    assert.equal(utf8Length("abc"), 3);
    assert.equal(utf8Length("é"), 2);
    assert.equal(utf8Length("€"), 3);
    assert.equal(utf8Length("😀"), 4);
  });

  it("fits as many frames as the body limit allows, brackets and commas included", () => {
    const f = "x".repeat(10); // each costs 11 bytes with its separator, plus 1 for "["
    assert.equal(batchSize([f, f, f], 23), 2);
    assert.equal(batchSize([f, f, f], 22), 1);
    assert.equal(batchSize([f, f, f], 34), 3);
  });

  it("sends a frame above the limit alone rather than never", () => {
    assert.equal(batchSize(["x".repeat(100), "y"], 10), 1);
  });

  it("caps the number of frames per POST", () => {
    assert.equal(batchSize(Array.from({ length: MAX_BATCH + 10 }, () => "1")), MAX_BATCH);
  });

  it("is 0 for an empty queue", () => {
    assert.equal(batchSize([]), 0);
  });
});

describe("PostQueue", () => {
  it("keeps one POST in flight and batches what queued meanwhile, in order", async () => {
    const m = manualPost();
    const q = new PostQueue(m.post, () => assert.fail("no failure"));
    q.push("1");
    q.push("2");
    q.push("3");
    assert.deepEqual(m.bodies, ["[1]"]);
    m.pending[0]!.resolve();
    await tick();
    assert.deepEqual(m.bodies, ["[1]", "[2,3]"]);
    m.pending[1]!.resolve();
    await tick();
    assert.equal(m.bodies.length, 2);
  });

  it("splits a batch larger than the body limit over several POSTs", async () => {
    const m = manualPost();
    const q = new PostQueue(m.post, () => {});
    const big = `"${"x".repeat(40 * 1024)}"`;
    q.push("0");
    q.push(big);
    q.push(big);
    m.pending[0]!.resolve();
    await tick();
    assert.equal(m.bodies[1], `[${big}]`);
    m.pending[1]!.resolve();
    await tick();
    assert.equal(m.bodies[2], `[${big}]`);
  });

  it("fails once when a POST is rejected and posts nothing after", async () => {
    const m = manualPost();
    let failures = 0;
    const q = new PostQueue(m.post, () => failures++);
    q.push("1");
    q.push("2");
    m.pending[0]!.reject(new Error("gone"));
    await tick();
    q.push("3");
    await tick();
    assert.equal(failures, 1);
    assert.deepEqual(m.bodies, ["[1]"]);
  });

  it("calls nothing back after close", async () => {
    const m = manualPost();
    const q = new PostQueue(m.post, () => assert.fail("closed queues do not fail"));
    q.push("1");
    q.close();
    m.pending[0]!.reject(new Error("aborted"));
    await tick();
    q.push("2");
    assert.deepEqual(m.bodies, ["[1]"]);
  });
});
