// Changing one's own password: POST /api/password with the current and the new one.
// After an admin's reset it is the only screen there is (`forced`): the server refuses
// everything else until the temporary password is replaced.

import { post } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";

const MIN_LENGTH = 10; // domain/users.py MIN_PASSWORD_LENGTH

export function mountPassword(main, { forced = false, onChanged, onLogout = null }) {
  let error = null;
  let done = false;
  let busy = false;

  function passwordField(name, label, autocomplete) {
    const id = `password-${name}`;
    return h("div", { class: "field" },
      h("label", { for: id }, t(label)),
      h("input", { id, name, type: "password", required: true, autocomplete,
                   minlength: name === "current" ? 1 : MIN_LENGTH, testid: id }));
  }

  function render() {
    const form = h("form", { class: "login-card", testid: "password-form",
                             "aria-labelledby": "password-heading", onsubmit: submit },
      h("h1", { id: "password-heading" }, t("password.heading")),
      forced && noticeBox(t("password.forced"), { testid: "password-forced", kind: "warn" }),
      done && noticeBox(t("password.done"), { testid: "password-done", kind: "ok" }),
      passwordField("current", forced ? "password.temporary" : "password.current",
                    "current-password"),
      passwordField("new", "password.new", "new-password"),
      passwordField("again", "password.again", "new-password"),
      h("p", { class: "muted" }, t("password.rule", { n: MIN_LENGTH })),
      error && errorBox(error, "password-error"),
      h("button", { type: "submit", class: "button-primary", disabled: busy,
                    testid: "password-submit" }, t("password.submit")),
      onLogout && h("button", { type: "button", class: "button-quiet", testid: "password-logout",
                                onclick: onLogout }, t("app.logout")));
    fill(main, h("section", { class: "login-page" }, form));
    main.setAttribute("aria-busy", "false");
    return form;
  }

  async function submit(event) {
    event.preventDefault();
    const fields = event.currentTarget.elements;
    if (fields.new.value !== fields.again.value) {
      error = { errorId: "passwords_differ", message: t("password.differ") };
      render().elements.again.focus();
      return;
    }
    busy = true;
    error = null;
    const body = { current_password: fields.current.value, new_password: fields.new.value };
    render();
    try {
      const { user } = await post("/api/password", body);
      busy = false;
      done = true;
      render();
      onChanged(user);
    } catch (err) {
      busy = false;
      error = err;
      render().elements.current.focus();
    }
  }

  render().elements.current.focus();
  return { render };
}
