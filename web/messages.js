// How the console shows a refusal or failure: the text of its error_id in the current
// language ("error.<error_id>" in i18n.js; every id the server can return has one, which
// tests/unit/test_errors.py checks). A text may name a detail the server sent:
// "error.<error_id>.<detail>" is used when the error carries that detail ({field} of
// invalid_input, say). The server's own message, in English, is shown only for an
// error_id the table does not know.

import { h } from "./dom.js";
import { has, t } from "./i18n.js";

function errorKey(error) {
  const key = `error.${error?.errorId}`;
  for (const name of Object.keys(error?.details ?? {})) {
    if (has(`${key}.${name}`)) return `${key}.${name}`;
  }
  return has(key) ? key : null;
}

export function errorText(error) {
  const key = errorKey(error);
  if (key) return t(key, error.details ?? {});
  return error?.message || t("error.generic");
}

export function errorBox(error, testid = "error") {
  return h("div", { class: "alert alert-error", role: "alert", testid,
                    dataset: { errorId: error?.errorId ?? "error" } },
    h("p", { class: "alert-title" }, errorText(error)));
}

export function noticeBox(text, { testid = "notice", kind = "info" } = {}) {
  return h("div", { class: `alert alert-${kind}`, role: "status", testid }, h("p", {}, text));
}
