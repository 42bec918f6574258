/* Times on the environment panels, in Hà Nội time with the zone said (the browser's own zone
   plays no part), and the "send a JSON write" helper the officer's panels share. */
import { csrfToken } from "./common.js";

export const ZONE = "Asia/Ho_Chi_Minh";
const clock = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

function parts(iso) {
  return Object.fromEntries(clock.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
}

/** "22/01/2019 15:00" on the Hà Nội clock. */
export function hanoiTime(iso) {
  const p = parts(iso);
  return p.day + "/" + p.month + "/" + p.year + " " + p.hour + ":" + p.minute;
}

/** "22/01/2019" on the Hà Nội clock. */
export function hanoiDay(iso) {
  const p = parts(iso);
  return p.day + "/" + p.month + "/" + p.year;
}

/** A calendar day "YYYY-MM-DD" as the page writes it: "22/01/2019" (no time zone involved). */
export function showDay(day) {
  const [y, m, d] = String(day || "").slice(0, 10).split("-");
  return d ? d + "/" + m + "/" + y : String(day || "");
}

/** A calendar month "YYYY-MM" as the page writes it: "01/2019". */
export function showMonth(month) {
  const [y, m] = String(month || "").split("-");
  return m ? m + "/" + y : String(month || "");
}

/** The instant a local day ("YYYY-MM-DD") starts in Hà Nội (UTC+7 all year). */
export const dayStart = (day) => day + "T00:00:00+07:00";

/** A number in the page's language (1.234,5 in Vietnamese, 1,234.5 in English). */
export function number(value, lang, digits) {
  return Number(value).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: digits === undefined ? 1 : digits });
}

/** Send a write (JSON body) and return the answer's JSON; a refusal throws its description. */
export async function send(method, url, body) {
  const response = await fetch(url, { method, headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.description || String(response.status));
  return data;
}
