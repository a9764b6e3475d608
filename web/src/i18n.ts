// Every label in Kazakh, Russian and English. en.json holds the keys; ru.json and kk.json must
// hold every one of them (checked by the compiler below, and by the browser test that reads the
// same files). The chosen language is the only thing the portal keeps in localStorage.
import { useEffect, useState } from "preact/hooks";
import en from "./i18n/en.json";
import kk from "./i18n/kk.json";
import ru from "./i18n/ru.json";

export type Key = keyof typeof en;
export type Lang = "kk" | "ru" | "en";
export const langs: Lang[] = ["kk", "ru", "en"];

const dictionaries: Record<Lang, Record<Key, string>> = { en, ru, kk };

const storageKey = "attestation.lang";

function initial(): Lang {
  const saved = localStorage.getItem(storageKey);
  if (saved === "kk" || saved === "ru" || saved === "en") return saved;
  const nav = navigator.language.slice(0, 2);
  return nav === "ru" || nav === "en" ? nav : "kk";
}

let current: Lang = initial();
const listeners = new Set<(l: Lang) => void>();

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang) {
  current = l;
  localStorage.setItem(storageKey, l);
  document.documentElement.lang = l;
  listeners.forEach((fn) => fn(l));
}

export function locale(l: Lang): string {
  return { kk: "kk-KZ", ru: "ru-RU", en: "en-GB" }[l];
}

/** The current language, re-rendering the component when it changes. */
export function useLang(): Lang {
  const [l, setL] = useState(current);
  useEffect(() => {
    listeners.add(setL);
    setL(current); // a switch between the first render and this effect
    return () => void listeners.delete(setL);
  }, []);
  return l;
}

export function t(key: Key, vars?: Record<string, string | number>): string {
  let s = dictionaries[current][key] ?? en[key];
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

/** A label of a value from the API (a step, a stage, an outcome, a role, a document kind); the value itself when the dictionary has none. */
export type LabelPrefix = "step" | "stage" | "outcome" | "role" | "doc" | "lifecycle" | "kind" | "ground" | "obligation" | "changeDecision" | "duplicateReason" | "addressee" | "complaintOutcome" | "complaintStatus" | "unattested";

export function label(prefix: LabelPrefix, value: string): string {
  const key = `${prefix}.${value}` as Key;
  if (key in en) return t(key);
  if (prefix === "stage" && `step.${value}` in en) return t(`step.${value}` as Key); // a case waiting on a step stands at it
  const annex3 = /^annex3_(\d+)$/.exec(value);
  if (prefix === "doc" && annex3) return t("doc.annex3", { n: Number(annex3[1]) });
  return value;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(locale(current)).format(n);
}
