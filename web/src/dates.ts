// Dates and moments as people in Kazakhstan read them: in Almaty time, in the portal's language.
// Russian and English go through Intl; Kazakh is written out here with its own month names
// ("2026 ж. 15 қазан, 10:00", as CLDR writes it), because a browser whose ICU lacks Kazakh data
// (Debian's headless Chromium among them) formats kk-KZ as "2026 M10 15". Nothing here imports the
// calendar: the build also writes this module alone (dates.js), which the browser test loads to
// check each language in the browser itself.
import type { Lang } from "./i18n";

const zone = "Asia/Almaty";

/** The Kazakh months, as a date names them (қаңтар ... желтоқсан). */
export const kazakhMonths = ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"];

const intlLocale: Record<Exclude<Lang, "kk">, string> = { ru: "ru-RU", en: "en-GB" };

/** The civil date and time of d in Almaty, from a locale every ICU has. */
function parts(d: Date): { year: number; month: number; day: number; hour: string; minute: string } {
  const p: Record<string, string> = {};
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  for (const x of f.formatToParts(d)) p[x.type] = x.value;
  return { year: Number(p["year"]), month: Number(p["month"]), day: Number(p["day"]), hour: p["hour"] ?? "00", minute: p["minute"] ?? "00" };
}

function kazakhDate(d: Date): string {
  const p = parts(d);
  return `${p.year} ж. ${p.day} ${kazakhMonths[p.month - 1]}`;
}

/** A moment with its date and time in Almaty: "2026 ж. 15 қазан, 10:00", "15 окт. 2026 г., 10:00", "15 Oct 2026, 10:00". */
export function formatMoment(iso: string | undefined, lang: Lang): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (lang === "kk") {
    const p = parts(d);
    return `${kazakhDate(d)}, ${p.hour}:${p.minute}`;
  }
  return new Intl.DateTimeFormat(intlLocale[lang], { timeZone: zone, dateStyle: "medium", timeStyle: "short" }).format(d);
}

/** A day (YYYY-MM-DD, or the Almaty day of a moment): "2026 ж. 15 қазан", "15 октября 2026 г.", "15 October 2026". */
export function formatDate(iso: string | undefined, lang: Lang): string {
  if (!iso) return "";
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(iso + "T12:00:00+05:00") : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (lang === "kk") return kazakhDate(d);
  return new Intl.DateTimeFormat(intlLocale[lang], { timeZone: zone, dateStyle: "long" }).format(d);
}
