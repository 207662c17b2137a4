/**
 * Pattern 5, a ws-send form that validates: the form names its event in a
 * hidden `weft-event` field. Two layers answer a bad value:
 * - the event's schema (Weft's): `email` must be a string of at most 254
 *   characters, else Weft refuses the event and the page's `#weft-error`
 *   becomes an error fragment with `data-code="E_INVALID"`;
 * - the view's own rule (an address with an @ and a dot): the view keeps the
 *   error in its state, and the page gets `#email-error` next to the field.
 * A valid address: `#subscribe-result` says so.
 */
import { defineView, html, renderToString, type Template } from "../../../src/index.ts";
import { connLine, ERROR_SLOT, type HtmxPage } from "./page.ts";
import { textField } from "./schema.ts";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface State {
  error: string;
  subscribed: string;
}

/** The payload: `email`, a string of at most 254 characters (RFC 5321's limit). */
const subscribeSchema = textField("email", 254, "email must be a text of at most 254 characters");

function parts(s: State): Template {
  return html`<span id="email-error" class="error">${s.error}</span>
    <p id="subscribe-result" role="status">${s.subscribed === "" ? "" : `Subscribed ${s.subscribed}.`}</p>`;
}

/** The htmx view of the page (at /hx/subscribe). */
export const HxSubscribe = defineView<State>({
  title: "Subscribe (htmx)",
  mount: () => ({ error: "", subscribed: "" }),
  events: {
    subscribe: {
      schema: subscribeSchema,
      run: (_s, p) => {
        const email = p.email.trim();
        if (!EMAIL.test(email)) return { error: email === "" ? "Enter your email address." : "That does not look like an email address.", subscribed: "" };
        return { error: "", subscribed: email };
      },
    },
  },
  render: parts,
});

export const subscribePage: HtmxPage = {
  slug: "subscribe",
  title: "Form validation",
  summary: "a form sent with ws-send: the view's own check answers with an error next to the field, a schema refusal with Weft's error fragment",
  body: ({ gen, token }) => `
<p class="muted">The form goes over the socket as JSON; its hidden <span class="mono">weft-event</span> field names the view's event.
The browser does not validate it (novalidate): the server does.</p>
<div data-live="form" ${gen.ws("/weft/htmx/ws/hx/subscribe", token, "attributes")}>
  ${connLine("form", "Form socket")}
  <form id="subscribe-form" ${gen.send} novalidate>
    <input type="hidden" name="weft-event" value="subscribe">
    <label class="field" for="email">Email</label>
    <input id="email" name="email" type="email" required aria-describedby="email-error" autocomplete="email">
    ${renderToString(parts({ error: "", subscribed: "" }))}
    <button type="submit">Subscribe</button>
  </form>
  ${ERROR_SLOT}
</div>`,
};
