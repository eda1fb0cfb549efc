// How the console shows a refusal or failure: in words of the current language when the
// error_id is a known one, with the server's own message beneath; otherwise the server's
// message as it came.

import { h } from "./dom.js";
import { has, t } from "./i18n.js";

export function errorText(error) {
  const key = `error.${error?.errorId}`;
  if (has(key)) return t(key);
  return error?.message || t("error.generic");
}

export function errorBox(error, testid = "error") {
  const key = `error.${error?.errorId}`;
  const detail = has(key) && error?.message && error.message !== t(key) ? error.message : null;
  return h("div", { class: "alert alert-error", role: "alert", testid,
                    dataset: { errorId: error?.errorId ?? "error" } },
    h("p", { class: "alert-title" }, errorText(error)),
    detail && h("p", { class: "alert-detail" }, detail));
}

export function noticeBox(text, { testid = "notice", kind = "info" } = {}) {
  return h("div", { class: `alert alert-${kind}`, role: "status", testid }, h("p", {}, text));
}
