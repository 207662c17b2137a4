import { defineView, html } from "../../../src/index.ts";

interface Fields {
  name: string;
  email: string;
  password: string;
}

interface State {
  fields: Fields;
  errors: Partial<Record<keyof Fields, string>>;
  touched: Partial<Record<keyof Fields, boolean>>;
  done: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Validates the fields; the messages the form shows. */
export function validate(f: Fields): State["errors"] {
  const errors: State["errors"] = {};
  if (f.name.trim().length < 2) errors.name = "Name needs at least 2 characters.";
  if (!EMAIL.test(f.email)) errors.email = "That does not look like an email address.";
  if (f.password.length < 8) errors.password = "Password needs at least 8 characters.";
  return errors;
}

function read(p: Record<string, unknown>): Fields {
  const s = (k: string) => String(p[k] ?? "").slice(0, 200);
  return { name: s("name"), email: s("email"), password: s("password") };
}

const field = (s: State, name: keyof Fields, label: string, type: string) => {
  const error = s.touched[name] ? s.errors[name] : undefined;
  return html`
    <label class="field">${label}
      <input name=${name} type=${type} value=${name === "password" ? "" : s.fields[name]}
        aria-invalid=${error ? "true" : "false"} autocomplete="off">
      <span class="error" id=${`${name}-error`}>${error}</span>
    </label>`;
};

/** A sign-up form validated on every keystroke. */
export const Signup = defineView<State>({
  title: "Sign up",
  mount: () => ({ fields: { name: "", email: "", password: "" }, errors: {}, touched: {}, done: false }),
  events: {
    validate: (s, p) => {
      const fields = read(p);
      const target = String(p._target ?? "") as keyof Fields;
      return { ...s, fields, errors: validate(fields), touched: { ...s.touched, [target]: true } };
    },
    save: (s, p, ctx) => {
      const fields = read(p);
      const errors = validate(fields);
      const touched = { name: true, email: true, password: true };
      const done = Object.keys(errors).length === 0;
      // Flashes show in the layout's slot, outside the view (docs/client.md, "Flash messages").
      if (done) ctx.flash("info", `Welcome, ${fields.name}!`);
      else ctx.flash("error", "Could not create the account: fix the fields marked below.");
      return { fields, errors, touched, done };
    },
    // A flash kept across a redirect (a page load): it shows on the projects page.
    later: (_s, _p, ctx) => {
      ctx.flash("info", "No account yet: you can sign up any time from the header.");
      ctx.redirect("/projects");
    },
  },
  render: (s) => html`
    <h1>Sign up</h1>
    ${s.done
      ? html`<p class="ok" id="welcome">Welcome, ${s.fields.name}!</p>`
      : html`
        <form weft-input="validate" weft-submit="save" novalidate>
          ${field(s, "name", "Name", "text")}
          ${field(s, "email", "Email", "email")}
          ${field(s, "password", "Password", "password")}
          <button type="submit" weft-disable-with="Saving…">Create account</button>
          <button type="button" class="secondary" weft-click="later">Maybe later</button>
        </form>`}`,
});
