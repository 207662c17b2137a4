/**
 * `weft-live/testing`: test a view's behaviour without a browser or sockets,
 * in any test runner. Views run in a real session (the same handlers,
 * schemas, render and diffs as on a server); clicks and submits go through the
 * rendered `weft-*` attributes, so a typo in a template fails the test.
 *
 * @example
 * import { mountView } from "weft-live/testing";
 * const v = await mountView(Counter);
 * await v.click("#inc");
 * assert.equal(v.text("#count"), "1");
 */
export { mountView, type MountOptions } from "./mount-view.ts";
export { MountedView, type TestPush, type TestViewError } from "./mounted-view.ts";
export { createTestBus, type TestBus, type TestBusOptions } from "./bus.ts";
export { TestClock } from "./clock.ts";
export { WeftTestError } from "./test-error.ts";
export type { FieldValue, FormPayload } from "./forms.ts";
export type { TestElement, TestNode, TestText } from "./dom.ts";
