/**
 * The error the test kit throws when a test asks for something the rendered
 * view does not have (a selector that matches nothing, an element without a
 * binding, a form field that does not exist) or when the view's work does not
 * finish. Its `code` is one of the registry's (docs/errors.md).
 */
import { ERRORS, type ErrorCode } from "../protocol/errors.ts";

/**
 * A failure of a kit action, with a registry code.
 *
 * @example
 * try { await v.click("#nope"); } catch (e) { if (e instanceof WeftTestError) e.code; } // "E_TEST_NO_MATCH"
 */
export class WeftTestError extends Error {
  /** The registry code (E_TEST_NO_MATCH, E_UNKNOWN_EVENT …). */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, detail: string) {
    super(`${code}: ${detail} (${ERRORS[code].message})`);
    this.name = "WeftTestError";
    this.code = code;
  }
}
