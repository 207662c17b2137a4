/**
 * The payload schema the htmx demo's forms share: one text field of
 * bounded length (a Standard Schema, no library needed). Hidden fields and
 * headers are not in an htmx event's payload, so only that field is read.
 */
import type { StandardSchemaV1 } from "../../../src/index.ts";

/**
 * A payload `{ [key]: string }` whose string has at most `max` characters;
 * anything else is refused with `message` (Weft's E_INVALID error fragment).
 *
 * @example
 * const sendSchema = textField("text", 500, "a message is a text of at most 500 characters");
 */
export function textField<K extends string>(key: K, max: number, message: string): StandardSchemaV1<unknown, Record<K, string>> {
  return {
    "~standard": {
      version: 1,
      vendor: "demo",
      validate: (v) => {
        const value = (v as Record<string, unknown> | null)?.[key];
        return typeof value === "string" && value.length <= max ? { value: { [key]: value } as Record<K, string> } : { issues: [{ message }] };
      },
    },
  };
}
