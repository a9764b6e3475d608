// A case as its applicant and the staff see it: where it stands, the open step with who acts and
// its due moment in Almaty with the working days left, the decision form for whoever acts now,
// the documents (opened through presigned links), the timeline of everything that happened, and
// for staff in AWS the case's execution in the Step Functions console. The timeline opens with
// the service term (standard §4); each document says who signed it; the case's own messages stand
// under it; for the authority, a case the workflow stopped moving shows its error with the
// hand-back (resume or close as unrecoverable, with reasons).
import { useEffect, useState } from "preact/hooks";
import { api, must, type Case, type Schemas } from "../api";
import { executionConsoleUrl, type Config } from "../config";
import { label, t, useLang } from "../i18n";
import { href } from "../router";
import { session } from "../session";
import { formatMoment } from "../time";
import { ActionForm, Due, ErrorNote, Field, Loading, ServiceTermView, SignedBy, useLoad } from "../ui";
import { lines } from "./Certificates";
import { NotificationCard, type Notification } from "./Messages";
import { StepForm } from "./StepForm";

const ended = ["issued", "refused", "returned", "cancelled", "withdrawn", "discontinued"];

export function CasePage({ id, cfg }: { id: string; cfg: Config }) {
  const lang = useLang();
  const c = useLoad(async () => must(await api().GET("/cases/{caseId}", { params: { path: { caseId: id } } })), [id]);
  const me = session();
  const data = c.data;
  const open = data?.openStep;
  const waiting = data !== undefined && !ended.includes(data.stage) && (!open || open.role !== me?.role);
  // While others act (or the workflow opens the next step) the page reads the case again.
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(c.reload, 1500);
    return () => clearTimeout(timer);
  }, [waiting, data]);
  if (!data) return <Loading what={c} />;
  const consoleUrl = me?.role !== "applicant" ? executionConsoleUrl(cfg, data.id) : undefined;
  return (
    <>
      <h1>{data.objectName}</h1>
      <dl class="pairs card">
        <dt>{t("case.id")}</dt>
        <dd>
          <code>{data.id}</code>
        </dd>
        <dt>{t("case.stage")}</dt>
        <dd>
          <strong>{label("stage", data.stage)}</strong>
        </dd>
        <dt>{t("case.submitted")}</dt>
        <dd>{formatMoment(data.submittedAt, lang)}</dd>
        <dt>{t("case.received")}</dt>
        <dd>{formatMoment(data.receivedAt, lang)}</dd>
        {data.certificate && (
          <>
            <dt>{t("case.certificate")}</dt>
            <dd>
              <a href={href("certificates")}>{data.certificate}</a>
            </dd>
          </>
        )}
      </dl>
      {consoleUrl && (
        <p>
          <a href={consoleUrl} target="_blank" rel="noopener noreferrer">
            {t("case.console")}
          </a>
        </p>
      )}
      {open && (
        <section class="card open-step" aria-labelledby="open-step-title">
          <h2 id="open-step-title">{t("case.openStep")}</h2>
          <p>
            <strong>{label("step", open.name)}</strong> — {t("case.whoActs", { role: label("role", open.role) })} {open.paragraph && <span class="rule">{open.paragraph}</span>}
          </p>
          <p>
            {t("case.dueAt")} <Due at={open.dueAt} overdue={open.overdue} />
          </p>
        </section>
      )}
      {open && open.role === me?.role && <StepForm key={open.name + data.history?.length} caseId={data.id} step={open.name} onDone={c.reload} />}
      {me?.role === "authority" && !ended.includes(data.stage) && <Attention c={data} onDone={c.reload} />}
      {me?.role === "applicant" && !ended.includes(data.stage) && <Withdraw caseId={data.id} onDone={c.reload} />}
      <Documents c={data} />
      <Timeline c={data} />
      <CaseMessages key={data.id} items={data.notifications ?? []} />
    </>
  );
}

function Withdraw({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  useLang();
  const [error, setError] = useState<unknown>();
  const [sure, setSure] = useState(false);
  const go = async () => {
    try {
      must(await api().POST("/cases/{caseId}/withdraw", { params: { path: { caseId } }, headers: { "Idempotency-Key": crypto.randomUUID() } }));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="card">
      <h2>{t("withdraw.title")}</h2>
      <label class="choice">
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.currentTarget.checked)} /> {t("withdraw.confirm")}
      </label>
      <button type="button" class="danger" disabled={!sure} onClick={go}>
        {t("withdraw.button")}
      </button>
      <ErrorNote error={error} />
    </section>
  );
}

/** A document of the case: a presigned GET fetched when asked for, opened in a new tab. */
export function OpenDocument({ caseId, docKey, name }: { caseId: string; docKey: string; name: string }) {
  useLang();
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<unknown>();
  const open = async () => {
    try {
      const link = must(await api().GET("/cases/{caseId}/documents", { params: { path: { caseId }, query: { key: docKey } } }));
      setUrl(link.get.url);
      window.open(link.get.url, "_blank", "noopener");
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      {url ? (
        <a href={url} target="_blank" rel="noopener noreferrer">
          {t("doc.openLink", { what: name })}
        </a>
      ) : (
        <button type="button" class="link" onClick={open}>
          {t("doc.open", { what: name })}
        </button>
      )}
      <ErrorNote error={error} />
    </>
  );
}

function Documents({ c }: { c: Case }) {
  useLang();
  const docs = c.documents ?? [];
  if (docs.length === 0) return null;
  return (
    <section class="card" aria-labelledby="docs-title">
      <h2 id="docs-title">{t("case.documents")}</h2>
      <ul class="plain">
        {docs.map((d) => (
          <li key={d.key}>
            <OpenDocument caseId={c.id} docKey={d.key} name={label("doc", d.kind ?? d.key)} />
            {d.step && <small class="muted"> · {label("step", d.step)}</small>}
            <div>{d.signature ? <SignedBy sig={d.signature} /> : <small class="muted">{t("sig.none")}</small>}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Timeline({ c }: { c: Case }) {
  const lang = useLang();
  const events = c.history ?? [];
  return (
    <section class="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t("case.timeline")}</h2>
      {c.serviceTerm && (
        <p class="service-term">
          {t("term.title")}: <ServiceTermView term={c.serviceTerm} ended={ended.includes(c.stage)} />
        </p>
      )}
      <ol class="timeline">
        {events.map((e) => (
          <li key={e.seq}>
            <time dateTime={e.at}>{formatMoment(e.at, lang)}</time>
            <div>
              <strong>{e.step ? label("step", e.step) : e.what}</strong>
              {e.outcome && <span class="badge">{label("outcome", e.outcome)}</span>}
              <div class="muted">
                {label("role", e.role)} · {e.what}
              </div>
              {e.reasons && e.reasons.length > 0 && (
                <ul>
                  {e.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The case's own messages in the caller's cabinet, newest first; each can be marked read here. */
function CaseMessages({ items }: { items: Notification[] }) {
  useLang();
  const [read, setRead] = useState<Record<string, Notification>>({});
  if (items.length === 0) return null;
  return (
    <section class="card" aria-labelledby="case-messages-title">
      <h2 id="case-messages-title">{t("case.messages")}</h2>
      <ul class="plain messages">
        {items.map((n) => (
          <NotificationCard key={n.id} n={read[n.id] ?? n} inCase onRead={(r) => setRead((x) => ({ ...x, [r.id]: r }))} />
        ))}
      </ul>
    </section>
  );
}

type QueueItem = Schemas["QueueItem"];

/** The case's item of the authority's attention queue (step case_needs_attention), if it is there. */
async function attentionOf(caseId: string): Promise<QueueItem | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const query: { step: "case_needs_attention"; limit: number; cursor?: string } = { step: "case_needs_attention", limit: 100 };
    if (cursor) query.cursor = cursor;
    const r = must(await api().GET("/queue", { params: { query } }));
    const item = r.items.find((i) => i.caseId === caseId);
    if (item || !r.cursor) return item;
    cursor = r.cursor;
  }
  return undefined;
}

/**
 * A case the workflow stopped moving (a task kept failing, or its execution ended): the error as
 * the engine named it, and the authority's hand-back — resume (the task runs again) or close as
 * unrecoverable (the case ends discontinued) — each with the authority's reasons.
 */
function Attention({ c, onDone }: { c: Case; onDone: () => void }) {
  const lang = useLang();
  const item = useLoad(() => attentionOf(c.id), [c.id, c.stage, c.history?.length]);
  const [resumeReasons, setResumeReasons] = useState("");
  const [closeReasons, setCloseReasons] = useState("");
  const a = item.data?.attention;
  if (!a) return null;
  const idem = () => ({ "Idempotency-Key": crypto.randomUUID() });
  const path = { caseId: c.id };
  const resume = async () => void must(await api().POST("/cases/{caseId}/attention/resume", { params: { path }, body: { reasons: lines(resumeReasons) }, headers: idem() }));
  const close = async () => void must(await api().POST("/cases/{caseId}/attention/close", { params: { path }, body: { reasons: lines(closeReasons) }, headers: idem() }));
  const done = () => {
    item.reload();
    onDone();
  };
  return (
    <section class="card attention" aria-labelledby="attention-title">
      <h2 id="attention-title">{t("attention.title")}</h2>
      <p>{t("attention.intro")}</p>
      <dl class="pairs">
        <dt>{t("attention.error")}</dt>
        <dd>
          <code>{a.error}</code>
        </dd>
        <dt>{t("attention.cause")}</dt>
        <dd>
          <code class="cause" lang="en">
            {a.cause}
          </code>
        </dd>
        {a.task && (
          <>
            <dt>{t("attention.task")}</dt>
            <dd>
              <code>{a.task}</code>
            </dd>
          </>
        )}
        <dt>{t("case.stage")}</dt>
        <dd>{label("stage", a.stage)}</dd>
        <dt>{t("attention.since")}</dt>
        <dd>
          <time dateTime={a.at}>{formatMoment(a.at, lang)}</time> · {t(a.source === "workflow" ? "attention.byWorkflow" : "attention.byDeadlineCheck")}
        </dd>
      </dl>
      {a.waiting === false && <p class="problem">{t("attention.notWaiting")}</p>}
      <ActionForm title={t("attention.resume")} submit={t("attention.resumeButton")} run={resume} onDone={done}>
        <Field id="attention-resume-reasons" label={t("attention.resumeReasons")} hint={t("step.reasonsHint")}>
          <textarea id="attention-resume-reasons" required rows={2} maxLength={4000} value={resumeReasons} aria-describedby="attention-resume-reasons-hint"
            onInput={(e) => setResumeReasons(e.currentTarget.value)} />
        </Field>
      </ActionForm>
      <ActionForm title={t("attention.close")} submit={t("attention.closeButton")} run={close} onDone={done} danger>
        <Field id="attention-close-reasons" label={t("attention.closeReasons")} hint={t("step.reasonsHint")}>
          <textarea id="attention-close-reasons" required rows={2} maxLength={4000} value={closeReasons} aria-describedby="attention-close-reasons-hint"
            onInput={(e) => setCloseReasons(e.currentTarget.value)} />
        </Field>
      </ActionForm>
    </section>
  );
}
