// The customer's value level and do-not-disturb flag as badges.

import { h } from "../dom.js";
import { t } from "../i18n.js";

export function customerBadges(customer) {
  if (!customer) return [];
  const level = customer.value_level;
  return [
    (level === "vip" || level === "key") &&
      h("span", { class: `badge badge-${level}`, testid: `badge-${level}` }, t(`badge.${level}`)),
    customer.do_not_disturb &&
      h("span", { class: "badge badge-dnd", testid: "badge-dnd" }, t("badge.dnd")),
  ];
}
