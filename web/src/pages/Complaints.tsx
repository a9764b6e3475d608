// Complaints (standard §11): the applicant files one with the service provider (considered within
// 5 working days) or with the authority for the quality of state services (15), optionally about
// one of its applications or certificates; the addressee — the authority or the quality
// authority — considers it with an outcome and an answer. Each shows its number, due moment,
// decision and history.
import { useState } from "preact/hooks";
import { api, must, type Schemas } from "../api";
import { label, t, useLang } from "../i18n";
import { session } from "../session";
import { formatMoment } from "../time";
import { usePaged } from "../paging";
import { ActionForm, Due, Field, More, PagedLoading, useLoad } from "../ui";

type Complaint = Schemas["Complaint"];
const idem = () => ({ "Idempotency-Key": crypto.randomUUID() });

export function Complaints() {
  useLang();
  const role = session()?.role;
  const list = usePaged(async (cursor, limit) => {
    const r = must(await api().GET("/complaints", { params: { query: cursor ? { limit, cursor } : { limit } } }));
    return { items: r.complaints, cursor: r.cursor };
  }, []);
  return (
    <>
      <h1>{t("complaints.title")}</h1>
      {role === "applicant" && <FileComplaint onDone={list.reload} />}
      {!list.ready || list.error ? (
        <PagedLoading list={list} />
      ) : list.items.length === 0 ? (
        <p class="muted">{t("complaints.none")}</p>
      ) : (
        <ul class="cards">
          {list.items.map((c) => (
            <ComplaintCard key={c.id} c={c} onDone={list.reload} />
          ))}
        </ul>
      )}
      <More list={list} />
    </>
  );
}

function ComplaintCard({ c, onDone }: { c: Complaint; onDone: () => void }) {
  const lang = useLang();
  const role = session()?.role;
  const decides = c.status === "registered" && ((role === "authority" && c.addressee === "service_provider") || (role === "quality_authority" && c.addressee === "quality_authority"));
  return (
    <li class="card">
      <h2>{t("complaints.number", { n: c.number })}</h2>
      <dl class="pairs">
        <dt>{t("complaints.addressee")}</dt>
        <dd>{label("addressee", c.addressee)}</dd>
        <dt>{t("complaints.status")}</dt>
        <dd>
          <strong>{label("complaintStatus", c.status)}</strong>
        </dd>
        <dt>{t("complaints.from")}</dt>
        <dd>
          {c.applicantName} · {c.organization}
        </dd>
        <dt>{t("complaints.registered")}</dt>
        <dd>{formatMoment(c.registeredAt, lang)}</dd>
        <dt>{t("case.dueAt")}</dt>
        <dd>
          {c.status === "registered" ? <Due at={c.dueAt} overdue={c.overdue} /> : <time dateTime={c.dueAt}>{formatMoment(c.dueAt, lang)}</time>} <span class="rule">{c.paragraph}</span>
        </dd>
        {c.caseId && (
          <>
            <dt>{t("case.id")}</dt>
            <dd>
              <code>{c.caseId}</code>
            </dd>
          </>
        )}
        {c.certificateNumber && (
          <>
            <dt>{t("case.certificate")}</dt>
            <dd>{c.certificateNumber}</dd>
          </>
        )}
      </dl>
      <p class="subject">{c.subject}</p>
      {c.decision && (
        <section class="sub" aria-label={t("complaints.decision")}>
          <h3>
            {t("complaints.decision")}: {label("complaintOutcome", c.decision.outcome)}
          </h3>
          <p>{c.decision.answer}</p>
          <p class="muted">
            {label("role", c.decision.role)} · {formatMoment(c.decision.at, lang)}
          </p>
        </section>
      )}
      {decides && <DecideComplaint c={c} onDone={onDone} />}
    </li>
  );
}

const outcomes: Schemas["ComplaintOutcome"][] = ["upheld", "partially_upheld", "rejected"];

function DecideComplaint({ c, onDone }: { c: Complaint; onDone: () => void }) {
  useLang();
  const [outcome, setOutcome] = useState<Schemas["ComplaintOutcome"]>("upheld");
  const [answer, setAnswer] = useState("");
  const id = "decide-" + c.id;
  const run = async () =>
    void must(await api().POST("/complaints/{complaintId}/decision", { params: { path: { complaintId: c.id } }, body: { outcome, answer }, headers: idem() }));
  return (
    <ActionForm title={t("complaints.decide")} submit={t("complaints.decideButton")} run={run} onDone={onDone}>
      <Field id={id + "-outcome"} label={t("complaints.outcome")}>
        <select id={id + "-outcome"} value={outcome} onChange={(e) => setOutcome(e.currentTarget.value as Schemas["ComplaintOutcome"])}>
          {outcomes.map((o) => (
            <option key={o} value={o}>
              {label("complaintOutcome", o)}
            </option>
          ))}
        </select>
      </Field>
      <Field id={id + "-answer"} label={t("complaints.answer")}>
        <textarea id={id + "-answer"} required maxLength={4000} rows={3} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />
      </Field>
    </ActionForm>
  );
}

function FileComplaint({ onDone }: { onDone: () => void }) {
  useLang();
  const cases = useLoad(async () => must(await api().GET("/cases", {})).cases, []);
  const [addressee, setAddressee] = useState<Schemas["ComplaintAddressee"]>("service_provider");
  const [subject, setSubject] = useState("");
  const [caseId, setCaseId] = useState("");
  const [certificateNumber, setCertificateNumber] = useState("");
  const run = async () => {
    const body: Schemas["ComplaintFiling"] = { addressee, subject };
    if (caseId) body.caseId = caseId;
    if (certificateNumber.trim()) body.certificateNumber = certificateNumber.trim();
    must(await api().POST("/complaints", { body, headers: idem() }));
    setSubject("");
  };
  return (
    <section class="card">
      <ActionForm title={t("complaints.file")} submit={t("complaints.fileButton")} run={run} onDone={onDone}>
        <fieldset>
          <legend>{t("complaints.addressee")}</legend>
          {(["service_provider", "quality_authority"] as const).map((a) => (
            <label class="choice" key={a}>
              <input type="radio" name="addressee" value={a} checked={addressee === a} onChange={() => setAddressee(a)} /> {label("addressee", a)}
            </label>
          ))}
        </fieldset>
        <Field id="complaint-subject" label={t("complaints.subject")}>
          <textarea id="complaint-subject" required maxLength={4000} rows={4} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        </Field>
        <Field id="complaint-case" label={t("complaints.case")}>
          <select id="complaint-case" value={caseId} onChange={(e) => setCaseId(e.currentTarget.value)}>
            <option value="">—</option>
            {(cases.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.objectName} ({c.id})
              </option>
            ))}
          </select>
        </Field>
        <Field id="complaint-certificate" label={t("complaints.certificate")}>
          <input id="complaint-certificate" maxLength={32} value={certificateNumber} onInput={(e) => setCertificateNumber(e.currentTarget.value)} />
        </Field>
      </ActionForm>
    </section>
  );
}
