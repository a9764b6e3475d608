// Small pieces every page uses: loading data, showing a refusal, a due moment with the working
// days left, a labelled field.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, now } from "./api";
import { t, useLang } from "./i18n";
import { formatMoment, workingDaysBetween } from "./time";

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs load when deps change; reload runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => void (live = false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}

export function message(error: unknown): string {
  if (error instanceof ApiError) return error.status ? `${t("error.refused")} (${error.status}): ${error.message}` : t("error.network");
  return error instanceof Error ? error.message : String(error);
}

export function ErrorNote({ error }: { error: unknown }) {
  useLang();
  if (!error) return null;
  const problems = error instanceof ApiError ? error.problems : [];
  return (
    <div class="error" role="alert">
      <p>{message(error)}</p>
      {problems.length > 0 && (
        <ul>
          {problems.map((p) => (
            <li key={p.field + p.message}>
              <code>{p.field || "—"}</code> {p.message} <span class="rule">{p.rule}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what?: Loaded<unknown> }) {
  useLang();
  if (what && !what.loading) return <ErrorNote error={what.error} />;
  return (
    <p class="muted" role="status">
      {t("loading")}
    </p>
  );
}

/** A due moment in Almaty time with the working days left and an overdue flag. */
export function Due({ at, overdue }: { at: string; overdue?: boolean }) {
  const lang = useLang();
  const left = workingDaysBetween(now(), new Date(at));
  const late = overdue ?? new Date(at).getTime() < now().getTime();
  return (
    <span class="due">
      <time dateTime={at}>{formatMoment(at, lang)}</time>{" "}
      {late ? (
        <strong class="badge overdue">{t("due.overdue")}</strong>
      ) : (
        left !== undefined && <span class="badge">{t("due.daysLeft", { n: left })}</span>
      )}
    </span>
  );
}

export function Field(props: { id: string; label: string; children: ComponentChildren; hint?: string; problem?: string }) {
  return (
    <div class={props.problem ? "field invalid" : "field"}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <small id={props.id + "-hint"}>{props.hint}</small>}
      {props.problem && (
        <small class="problem" id={props.id + "-problem"}>
          {props.problem}
        </small>
      )}
    </div>
  );
}

/** The DOM id of the input for an API field path (hardware[0].serialNumber -> f-hardware-0-serialNumber). */
export function fieldId(path: string): string {
  return "f-" + path.replace(/[[\].]+/g, "-").replace(/-$/, "");
}

export function focusField(path: string) {
  let p = path;
  for (;;) {
    const el = document.getElementById(fieldId(p));
    if (el) {
      el.scrollIntoView({ block: "center" });
      el.focus();
      return;
    }
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) return;
    p = p.slice(0, cut);
  }
}

/**
 * A small form of one action: its fields (children), a submit button, the refusal if any; run
 * does the request, onDone follows a success. With a title it stands as its own card section.
 */
export function ActionForm(props: { title?: string; submit: string; run: () => Promise<void>; onDone: () => void; children?: ComponentChildren; danger?: boolean }) {
  useLang();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const go = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.run();
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="action" onSubmit={go}>
      {props.title && <h3>{props.title}</h3>}
      {props.children}
      <button type="submit" class={props.danger ? "danger" : "primary"} disabled={busy}>
        {props.submit}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
