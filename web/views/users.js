// User administration (#/users, admins only): every account with its state and live
// sessions; add one; change a name, role, extension or language; disable or enable;
// reset a password (a temporary one the user must change at their next login).
// Disabling ends the user's sessions and closes their console's live connection at once.

import { get, patch, post } from "../api.js";
import { h, fill } from "../dom.js";
import { LOCALES, formatDateTime, t } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";

const ROLES = ["agent", "supervisor", "admin"];

function select(name, options, value, label, testid) {
  return h("select", { name, testid, "aria-label": label },
    options.map(([key, text]) => h("option", { value: key, selected: key === value }, text)));
}

const roleOptions = () => ROLES.map((role) => [role, t(`users.role.${role}`)]);
const localeOptions = () => LOCALES.map((name) => [name, t(`locale.${name}`)]);

export function mountUsers(main, ctx) {
  let accounts = null;
  let loadError = null;
  let editing = null; // { id, mode: "edit" | "password" }
  let message = null; // { kind, text } or { error }
  let draft = {}; // what the add form holds, kept when the server refuses it
  let destroyed = false;

  async function load() {
    try {
      ({ items: accounts } = await get("/api/users"));
      loadError = null;
    } catch (error) {
      loadError = error;
    }
    if (!destroyed) render();
  }

  async function act(work, done) {
    try {
      await work();
      message = done && { kind: "ok", text: done };
      editing = null;
    } catch (error) {
      message = { error };
    }
    await load();
  }

  function editForm(account) {
    const submit = (event) => {
      event.preventDefault();
      const f = event.currentTarget.elements;
      const extension = f.extension.value.trim();
      act(() => patch(`/api/users/${account.id}`, {
        display_name: f.display_name.value, role: f.role.value,
        extension: extension || null, locale: f.locale.value,
      }), t("users.saved", { name: account.username }));
    };
    return h("form", { class: "users-row-form", testid: "user-edit-form", onsubmit: submit },
      h("input", { type: "text", name: "display_name", value: account.display_name,
                   maxlength: 100, "aria-label": t("users.col.name") }),
      select("role", roleOptions(), account.role, t("users.col.role"), "user-edit-role"),
      h("input", { type: "text", name: "extension", value: account.extension ?? "",
                   inputmode: "numeric", maxlength: 8, "aria-label": t("users.col.extension"),
                   testid: "user-edit-extension" }),
      select("locale", localeOptions(), account.locale, t("users.col.locale")),
      h("button", { type: "submit", class: "button-primary", testid: "user-save" },
        t("users.save")),
      h("button", { type: "button", class: "button-quiet",
                    onclick: () => { editing = null; render(); } }, t("users.cancel")));
  }

  function passwordForm(account) {
    const submit = (event) => {
      event.preventDefault();
      const password = event.currentTarget.elements.password.value;
      act(() => post(`/api/users/${account.id}/password`, { password }),
        t("users.password_reset", { name: account.username }));
    };
    return h("form", { class: "users-row-form", testid: "user-password-form", onsubmit: submit },
      h("input", { type: "password", name: "password", required: true, minlength: 10,
                   autocomplete: "new-password", "aria-label": t("users.temporary_password"),
                   placeholder: t("users.temporary_password"), testid: "user-temp-password" }),
      h("button", { type: "submit", class: "button-primary", testid: "user-reset-submit" },
        t("users.reset_password")),
      h("button", { type: "button", class: "button-quiet",
                    onclick: () => { editing = null; render(); } }, t("users.cancel")));
  }

  function actions(account) {
    const self = account.id === ctx.user.id;
    const open = (mode) => () => { editing = { id: account.id, mode }; message = null; render(); };
    const toggle = account.active ? "disable" : "enable";
    return h("div", { class: "row-actions" },
      h("button", { type: "button", class: "button-quiet", testid: "user-edit",
                    onclick: open("edit") }, t("users.edit")),
      h("button", { type: "button", class: "button-quiet", testid: "user-reset",
                    onclick: open("password") }, t("users.reset_password")),
      !self && h("button", { type: "button", class: "button-quiet", testid: `user-${toggle}`,
                             onclick: () => act(() => post(`/api/users/${account.id}/${toggle}`),
                               t(`users.done.${toggle}`, { name: account.username })) },
        t(`users.${toggle}`)));
  }

  function row(account) {
    const state = [account.active ? t("users.active") : t("users.disabled"),
      account.must_change_password && t("users.must_change")].filter(Boolean).join(" · ");
    const form = editing?.id === account.id
      && (editing.mode === "edit" ? editForm(account) : passwordForm(account));
    return [
      h("tr", { testid: "user-row", class: account.active ? "" : "muted",
                dataset: { username: account.username } },
        h("th", { scope: "row", class: "mono" }, account.username),
        h("td", {}, account.display_name),
        h("td", {}, t(`users.role.${account.role}`)),
        h("td", {}, account.extension ?? t("app.none")),
        h("td", {}, t(`locale.${account.locale}`)),
        h("td", { testid: "user-state" }, state),
        h("td", { class: "num", testid: "user-sessions" }, account.sessions),
        h("td", {}, formatDateTime(account.created_at)),
        h("td", {}, actions(account))),
      form && h("tr", {}, h("td", { colspan: 9 }, form)),
    ];
  }

  function addForm() {
    const submit = (event) => {
      event.preventDefault();
      const f = event.currentTarget.elements;
      draft = { username: f.username.value.trim(), display_name: f.display_name.value,
                role: f.role.value, extension: f.extension.value.trim(), locale: f.locale.value };
      act(async () => {
        await post("/api/users", { ...draft, extension: draft.extension || null,
                                   password: f.password.value });
        draft = {};
      }, t("users.added", { name: draft.username }));
    };
    const field = (name, label, input) => h("div", { class: "field" },
      h("label", { for: `new-user-${name}` }, t(label)), input);
    return h("form", { class: "panel users-add", testid: "user-add-form", onsubmit: submit,
                       "aria-labelledby": "users-add-heading" },
      h("h2", { id: "users-add-heading" }, t("users.add_heading")),
      h("div", { class: "users-add-fields" },
        field("username", "users.col.username", h("input", {
          id: "new-user-username", name: "username", type: "text", required: true,
          autocapitalize: "none", spellcheck: "false", maxlength: 64, value: draft.username ?? "",
          testid: "new-user-username" })),
        field("display_name", "users.col.name", h("input", {
          id: "new-user-display_name", name: "display_name", type: "text", maxlength: 100,
          value: draft.display_name ?? "" })),
        field("role", "users.col.role", h("select", { id: "new-user-role", name: "role",
                                                      testid: "new-user-role" },
          roleOptions().map(([key, text]) => h("option", { value: key,
                                                           selected: key === draft.role }, text)))),
        field("extension", "users.col.extension", h("input", {
          id: "new-user-extension", name: "extension", type: "text", inputmode: "numeric",
          maxlength: 8, value: draft.extension ?? "", testid: "new-user-extension" })),
        field("locale", "users.col.locale", h("select", { id: "new-user-locale", name: "locale" },
          localeOptions().map(([key, text]) => h("option", { value: key,
                                                             selected: key === draft.locale }, text)))),
        field("password", "users.initial_password", h("input", {
          id: "new-user-password", name: "password", type: "password", required: true,
          minlength: 10, autocomplete: "new-password", testid: "new-user-password" }))),
      h("button", { type: "submit", class: "button-primary", testid: "new-user-submit" },
        t("users.add")));
  }

  function table() {
    if (loadError) return errorBox(loadError);
    if (accounts === null) return h("p", { class: "muted" }, t("app.loading"));
    return h("div", { class: "table-scroll" }, h("table", { class: "table", testid: "users" },
      h("thead", {}, h("tr", {}, ["username", "name", "role", "extension", "locale", "state",
        "sessions", "created", "actions"].map((col) =>
        h("th", { scope: "col", class: col === "sessions" ? "num" : null },
          t(`users.col.${col}`))))),
      h("tbody", {}, accounts.map(row))));
  }

  function render() {
    if (ctx.user.role !== "admin") {
      fill(main, h("p", { class: "notice" }, t("users.admins_only")));
      main.setAttribute("aria-busy", "false");
      return;
    }
    fill(main,
      h("section", { class: "page", "aria-labelledby": "users-heading" },
        h("div", { class: "page-head" },
          h("h1", { id: "users-heading" }, t("users.heading")),
          h("button", { type: "button", class: "button-quiet", onclick: () => load() },
            t("work.refresh"))),
        message?.error && errorBox(message.error, "users-error"),
        message?.text && noticeBox(message.text, { testid: "users-notice", kind: "ok" }),
        table(),
        addForm()));
    main.setAttribute("aria-busy", String(accounts === null && !loadError));
  }

  render();
  if (ctx.user.role === "admin") load();
  return {
    render,
    destroy() {
      destroyed = true;
    },
  };
}
