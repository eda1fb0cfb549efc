// Log in with a username and password; the server sets the session cookie.

import { post } from "../api.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { errorBox } from "../messages.js";

export function mountLogin(main, { reason, onLoggedIn }) {
  let error = reason ?? null;
  let busy = false;
  let username = "";

  const render = () => {
    const form = h("form", { class: "login-card", testid: "login-form", novalidate: false,
                             "aria-labelledby": "login-heading", onsubmit: submit },
      h("h1", { id: "login-heading" }, t("login.heading")),
      h("div", { class: "field" },
        h("label", { for: "login-username" }, t("login.username")),
        h("input", { id: "login-username", name: "username", type: "text", required: true,
                     autocomplete: "username", autocapitalize: "none", spellcheck: "false",
                     value: username, testid: "login-username",
                     oninput: (e) => { username = e.target.value; } })),
      h("div", { class: "field" },
        h("label", { for: "login-password" }, t("login.password")),
        h("input", { id: "login-password", name: "password", type: "password", required: true,
                     autocomplete: "current-password", testid: "login-password" })),
      error && errorBox(error, "login-error"),
      h("button", { type: "submit", class: "button-primary", disabled: busy,
                    testid: "login-submit" }, busy ? t("login.busy") : t("login.submit")));
    fill(main, h("section", { class: "login-page" }, form));
    main.setAttribute("aria-busy", "false");
    return form;
  };

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const password = form.elements.password.value;
    username = form.elements.username.value.trim();
    busy = true;
    error = null;
    render();
    try {
      const { user } = await post("/api/login", { username, password });
      onLoggedIn(user);
    } catch (err) {
      busy = false;
      error = err;
      const again = render();
      again.elements.password.focus();
    }
  }

  const form = render();
  (username ? form.elements.password : form.elements.username).focus();
  // The language switch is hidden before login; a re-render keeps the typed username.
  return { render };
}
