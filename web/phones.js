// Phone numbers as people read them. The server keeps and sends E.164 ("+8613800138001");
// a Chinese number is shown the way it is dialled at home, in groups: mobiles 3-4-4
// ("138 0013 8001"), landlines with their area code and a hyphen ("010-6512 3456",
// "0755-8135 1929"), 400/800 service numbers 3-3-4 ("400 820 8820"). Any other
// country's number keeps its E.164 form (where its country code ends and how it groups
// vary by country).

// Area codes of two digits after the 0: Beijing (10) and 20-29; every other one has three.
const SHORT_AREA = /^(10|2\d)/;

function groups(digits, sizes) {
  const parts = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  if (at < digits.length) parts.push(digits.slice(at));
  return parts.join(" ");
}

function chinese(national) {
  if (/^1\d{10}$/.test(national)) return groups(national, [3, 4, 4]);
  if (/^[48]00\d{7}$/.test(national)) return groups(national, [3, 3, 4]);
  const area = SHORT_AREA.test(national) ? 2 : 3;
  const subscriber = national.slice(area);
  return `0${national.slice(0, area)}-${groups(subscriber, subscriber.length > 7 ? [4, 4] : [3, 4])}`;
}

/** "+8613800138001" -> "138 0013 8001"; text that is not E.164 is returned unchanged. */
export function formatPhone(e164) {
  if (typeof e164 !== "string" || !/^\+\d{6,15}$/.test(e164)) return e164 ?? "";
  return e164.startsWith("+86") ? chinese(e164.slice(3)) : e164;
}
