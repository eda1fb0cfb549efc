// The recordings page's strings live in the console's one table, web/i18n.js, under
// "recordings.<key>"; this keeps the page's translate(locale, key, vars).
import { STRINGS } from "../i18n.js";

export function translate(locale, key, vars = {}) {
  const name = `recordings.${key}`;
  const text = (STRINGS[locale] || STRINGS.en)[name] ?? STRINGS.en[name] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, v) => String(vars[v] ?? ""));
}
