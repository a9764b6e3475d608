// Small pieces every page uses: loading data, showing a refusal, a due moment with the working
// days left, a labelled field.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, now, type Schemas } from "./api";
import en from "./i18n/en.json";
import { label, t, useLang, type Key } from "./i18n";
import type { Paged } from "./paging";
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

/** The localised title of a refusal: its problem type's, else its status's class. */
export function problemTitle(error: ApiError): string {
  const key = `problem.${error.slug}` as Key;
  if (error.slug && key in en) return t(key);
  return t("error.refused");
}

export function message(error: unknown): string {
  if (error instanceof ApiError) return error.status ? `${problemTitle(error)} (${error.status})` : t("error.network");
  return error instanceof Error ? error.message : String(error);
}

/** API field names the forms label: the field of a problem is shown by its label, its path beside it. */
const fieldLabels: Record<string, Key> = {
  plannedDate: "plan.plannedDate", objectId: "cases.object", lifeCycleStage: "objects.stage", testingAct: "plan.testingAct",
  "testingAct.number": "plan.testingActNumber", "testingAct.date": "plan.testingActDate", reasons: "step.reasons", subject: "complaints.subject",
  answer: "complaints.answer", ceasedOn: "cessation.day", description: "changes.description", ground: "recall.ground", caseId: "complaints.case",
  certificateNumber: "complaints.certificate", addressee: "complaints.addressee", outcome: "step.outcome", name: "objects.name",
  developer: "objects.developer", kind: "objects.kind", year: "plan.year", "act.number": "step.actNumber", "act.date": "step.actDate",
};

/** A field path as a person reads it: rows[0].plannedDate -> "Row 1 · Planned date of attestation". */
export function fieldLabel(path: string): string {
  if (!path) return t("check.whole");
  const parts: string[] = [];
  let group = "";
  const rest = path.replace(/^([a-zA-Z]+)\[(\d+)\]\.?/, (_, g: string, n: string) => ((group = g), parts.push(t("draft.row", { n: Number(n) + 1 })), ""));
  const own = `${group}.${rest.replace(/\[\d+\]/g, "")}`; // hardware[0].serialNumber: the draft's own label
  const key = own in en ? (own as Key) : (fieldLabels[rest.replace(/\[\d+\]/g, "")] ?? fieldLabels[rest.split(".").pop() ?? ""]);
  if (rest.startsWith("documents.")) parts.push(label("doc", rest.slice(10)));
  else if (key) parts.push(t(key));
  return parts.join(" · ");
}

/**
 * The attributes of a table's frame (class table-wrap), which scrolls sideways when the table is
 * wider than the screen, as a long Kazakh word makes it on a phone: a region named name that a
 * keyboard can focus and scroll (WCAG 2.1.1; axe-core's scrollable-region-focusable).
 */
export function tableFrame(name: string) {
  return { class: "table-wrap", role: "region" as const, "aria-label": name, tabIndex: 0 };
}

export function ErrorNote({ error }: { error: unknown }) {
  useLang();
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const problems = api?.problems ?? [];
  // The API words its detail and messages in English: they are marked so, under localised headings.
  const detail = api && api.status && api.message !== api.title && api.message !== String(api.status) ? api.message : undefined;
  return (
    <div class="error" role="alert">
      <p>
        <strong>{message(error)}</strong>
      </p>
      {detail && (
        <p>
          {t("problem.detail")}: <span lang="en">{detail}</span>
        </p>
      )}
      {problems.length > 0 && (
        <div {...tableFrame(message(error))}>
          <table class="problems-table">
            <thead>
              <tr>
                <th scope="col">{t("problem.field")}</th>
                <th scope="col">{t("problem.paragraph")}</th>
                <th scope="col">{t("problem.what")}</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p) => (
                <tr key={p.field + p.message}>
                  <td>
                    {fieldLabel(p.field)} {p.field && <code>{p.field}</code>}
                  </td>
                  <td class="rule">{p.rule}</td>
                  <td lang="en">{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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

/** A due moment in Almaty time with the working days left and an overdue flag; none yet when a
 * paper case's period starts at the hand-over at the office (issue 17). */
export function Due({ at, overdue }: { at?: string; overdue?: boolean }) {
  const lang = useLang();
  if (at === undefined) return <span class="due muted">{t("due.atHandOver")}</span>;
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
        <small class="problem" id={props.id + "-problem"} lang="en">
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

/** A paged list's state under it: how many are shown, the next page's button while the cursor says more remain, and a failed page. */
export function More({ list }: { list: Omit<Paged<unknown>, "update"> }) {
  useLang();
  if (!list.ready || (list.items.length === 0 && !list.hasMore)) return null;
  return (
    <div class="more">
      <p class="muted" role="status">
        {t("list.shown", { n: list.items.length })}
      </p>
      {list.hasMore && (
        <button type="button" disabled={list.loading} onClick={list.more}>
          {t("list.more")}
        </button>
      )}
      {list.items.length > 0 && <ErrorNote error={list.error} />}
    </div>
  );
}

/** While a paged list's first page comes: loading, or its refusal. */
export function PagedLoading({ list }: { list: Omit<Paged<unknown>, "update"> }) {
  useLang();
  if (list.ready) return <ErrorNote error={list.error} />;
  return (
    <p class="muted" role="status">
      {t("loading")}
    </p>
  );
}

/**
 * The service term of standard §4: its due moment in Almaty with the working days left and the
 * overdue flag (only its due moment once the case has ended), extended by an additional survey,
 * provisional, past with its breach; or, while the calendar of its year is not out, "not yet
 * computable" naming the year.
 */
export function ServiceTermView({ term, ended }: { term: Schemas["ServiceTerm"]; ended?: boolean }) {
  const lang = useLang();
  return (
    <span class="term">
      {term.dueAt ? (
        ended ? (
          <time dateTime={term.dueAt}>{formatMoment(term.dueAt, lang)}</time>
        ) : (
          <Due at={term.dueAt} overdue={term.overdue ?? false} />
        )
      ) : (
        <span class="badge">{t("term.uncountable", { year: term.year ?? "" })}</span>
      )}{" "}
      <span class="rule">{term.paragraph}</span>
      {term.extended && <span class="badge">{t("term.extended")}</span>}
      {term.provisional && <span class="badge">{t("term.provisional")}</span>}
      {term.breach && (
        <small class="problem">
          {" "}
          {t("term.breach")}: <span lang="en">{term.breach}</span>
        </small>
      )}
    </span>
  );
}

/** Who signed a document (issue 17): the name, the organisation's BIN, the signing time and OCSP's answer; never the IIN. */
export function SignedBy({ sig }: { sig: Schemas["EDSSignature"] }) {
  const lang = useLang();
  return (
    <small class="signed">
      <strong>{t("sig.signedBy", { name: sig.signer })}</strong>
      {" · "}
      {sig.bin ? t("sig.bin", { bin: sig.bin }) : t("sig.individual")}
      {" · "}
      <time dateTime={sig.signingTime}>{formatMoment(sig.signingTime, lang)}</time>
      {" · "}
      {sig.ocspStatus === "good" ? t("sig.ocspGood") : t("sig.ocspUnavailable")}
    </small>
  );
}
