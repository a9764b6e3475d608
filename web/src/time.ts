// Dates as people in Kazakhstan read them: every moment in Almaty time, formatted for the
// portal's language (dates.ts); working days counted with the calendar of internal/calendar
// (generated/calendar.json, kept equal to it by infra/webcal's test).
import calendar from "./generated/calendar.json";

export { formatDate, formatMoment } from "./dates";

const zone = "Asia/Almaty";

/** The civil date of t in Almaty as [year, day of the year from 0]. */
function civil(t: Date): [number, number] {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(t);
  const [y, m, d] = parts.split("-").map(Number) as [number, number, number];
  return [y, Math.round((Date.UTC(y, m - 1, d) - Date.UTC(y, 0, 1)) / 86400000)];
}

const working = calendar.working as Record<string, string>;

/**
 * The working days after from's date up to and including to's date, in Almaty (as the
 * regulation counts a period, internal/calendar WorkingDaysBetween); 0 when to is not after
 * from; undefined past the calendar's years.
 */
export function workingDaysBetween(from: Date, to: Date): number | undefined {
  let [y, d] = civil(from);
  const [ty, td] = civil(to);
  if (ty < y || (ty === y && td <= d)) return 0;
  let n = 0;
  for (;;) {
    d++;
    let days = working[String(y)];
    if (days === undefined) return undefined;
    if (d >= days.length) {
      y++;
      d = 0;
      days = working[String(y)];
      if (days === undefined) return undefined;
    }
    if (days[d] === "1") n++;
    if (y === ty && d === td) return n;
  }
}

/** The civil date of t in Almaty, YYYY-MM-DD. */
export function almatyDay(t: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(t);
}

/**
 * When the year's list of objects planned for attestation is due (§11, Annex 1): March 1, or the
 * next working day when it is a day off, 23:59:59 in Almaty; undefined past the calendar's years.
 * The API answers the same moment (AnnualPlan.dueAt) once a list is sent.
 */
export function planDueAt(year: number): Date | undefined {
  const days = working[String(year)];
  if (days === undefined) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  for (let d = leap ? 60 : 59; d < days.length; d++) {
    if (days[d] === "1") return new Date(Date.UTC(year, 0, 1 + d, 18, 59, 59)); // 23:59:59 at UTC+5
  }
  return undefined;
}
