// The certificates (GET /certificates): for an applicant its organisation's, for the authority the
// whole register. Each shows its status and term, the certificate's PDF (fetched through its
// presigned link, its SHA-256 checked here against the register's, and saved) and its life after
// issue: the monitoring connection (§42), change notices and the decisions on them (§43-§44, §47),
// loss or damage and the duplicate (§48), the cessation of operation (§45(5)), the recall (§45)
// with the copy of the decision and the return due (§46). The owner's applicant sends the notices;
// the authority decides on changes, issues duplicates, recalls on a ground of §45 and records the
// return.
import { useState } from "preact/hooks";
import { api, apiBase, must, type Schemas } from "../api";
import { label, t, useLang } from "../i18n";
import { session } from "../session";
import { formatDate, formatMoment } from "../time";
import { sha256Hex } from "../upload";
import { usePaged } from "../paging";
import { ActionForm, Due, ErrorNote, Field, More, PagedLoading } from "../ui";

type Certificate = Schemas["Certificate"];
type Copy = "current" | "original" | "duplicate" | "recall_decision";

/** The path parameters of a certificate's number (2026/00001). */
export function numberPath(n: string): { year: number; seq: string } {
  const [year, seq] = n.split("/") as [string, string];
  return { year: Number(year), seq };
}

const idem = () => ({ "Idempotency-Key": crypto.randomUUID() });

export function Certificates() {
  const lang = useLang();
  const staff = session()?.role === "authority";
  const list = usePaged(async (cursor, limit) => {
    const r = must(await api().GET("/certificates", { params: { query: cursor ? { limit, cursor } : { limit } } }));
    return { items: r.certificates, cursor: r.cursor };
  }, []);
  return (
    <>
      <h1>{staff ? t("register.title") : t("certs.title")}</h1>
      {!list.ready || list.error ? (
        <PagedLoading list={list} />
      ) : list.items.length === 0 ? (
        <p class="muted">{t("certs.none")}</p>
      ) : (
        <ul class="cards">
          {list.items.map((c) => (
            <li class="card" key={c.number}>
              <h2>
                {t("certs.number", { n: c.number })} — {c.objectName}
              </h2>
              <dl class="pairs">
                <dt>{t("certs.status")}</dt>
                <dd>
                  <strong>{t(`certs.status.${c.status}`)}</strong>
                </dd>
                {staff && (
                  <>
                    <dt>{t("certs.owner")}</dt>
                    <dd>
                      {c.ownerName} · {c.ownerBin}
                    </dd>
                  </>
                )}
                <dt>{t("certs.issued")}</dt>
                <dd>{formatDate(c.issuedAt, lang)}</dd>
                <dt>{t("certs.validUntil")}</dt>
                <dd>{c.validUntil ? formatDate(c.validUntil, lang) : t("certs.industrial")}</dd>
                <dt>{t("certs.act")}</dt>
                <dd>
                  {c.act.number}, {formatDate(c.act.day ?? c.act.date, lang)}
                </dd>
              </dl>
              <Download cert={c} copy="current" text={t("certs.download")} />
              <p>
                <a href={`${apiBase()}/certificates/${c.number}`} target="_blank" rel="noopener noreferrer">
                  {t("certs.verification")}
                </a>
              </p>
              <Monitoring cert={c} staff={staff} onDone={list.reload} />
              <Changes cert={c} staff={staff} onDone={list.reload} />
              <Duplicates cert={c} staff={staff} onDone={list.reload} />
              <Cessation cert={c} staff={staff} onDone={list.reload} />
              <Recall cert={c} staff={staff} onDone={list.reload} />
            </li>
          ))}
        </ul>
      )}
      <More list={list} />
    </>
  );
}

/** The recall and the return as the register holds them; for the authority, the forms. */
function Recall({ cert, staff, onDone }: { cert: Certificate; staff: boolean; onDone: () => void }) {
  const lang = useLang();
  const r = cert.recall;
  const path = numberPath(cert.number);
  if (r) {
    return (
      <section class="sub" aria-label={t("recall.title")}>
        <h3>{t("recall.title")}</h3>
        <dl class="pairs">
          <dt>{t("recall.ground")}</dt>
          <dd>
            {label("ground", r.ground)} <span class="rule">{r.paragraph}</span>
          </dd>
          <dt>{t("recall.decidedAt")}</dt>
          <dd>{formatMoment(r.decidedAt, lang)}</dd>
          <dt>{t("recall.returnDue")}</dt>
          <dd>{r.returnedAt ? t("recall.returnedAt", { at: formatMoment(r.returnedAt, lang) }) : <Due at={r.returnDueAt} overdue={r.returnOverdue ?? false} />}</dd>
        </dl>
        {r.reasons && r.reasons.length > 0 && (
          <ul>
            {r.reasons.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        )}
        <Download cert={cert} copy="recall_decision" text={t("recall.decision")} />
        {staff && !r.returnedAt && (
          <ActionForm submit={t("recall.recordReturn")} run={async () => void must(await api().POST("/certificates/{year}/{seq}/return", { params: { path }, headers: idem() }))} onDone={onDone} />
        )}
      </section>
    );
  }
  if (!staff || cert.status !== "valid" && cert.status !== "expired") return null;
  return <RecallForm cert={cert} onDone={onDone} />;
}

const grounds = ["owner_application", "audit_noncompliance", "changed_conditions", "operation_ceased", "not_reattested"];

function RecallForm({ cert, onDone }: { cert: Certificate; onDone: () => void }) {
  useLang();
  const [ground, setGround] = useState(cert.cessation ? "operation_ceased" : "owner_application");
  const [reasons, setReasons] = useState("");
  const [changeId, setChangeId] = useState("");
  const id = "recall-" + cert.number.replace("/", "-");
  const run = async () => {
    const body: Schemas["RecallInput"] = { ground, reasons: lines(reasons) };
    if (ground === "changed_conditions" && changeId) body.changeId = changeId;
    must(await api().POST("/certificates/{year}/{seq}/recall", { params: { path: numberPath(cert.number) }, body, headers: idem() }));
  };
  return (
    <ActionForm title={t("recall.formTitle")} submit={t("recall.button")} run={run} onDone={onDone}>
      <Field id={id + "-ground"} label={t("recall.ground")}>
        <select id={id + "-ground"} value={ground} onChange={(e) => setGround(e.currentTarget.value)}>
          {grounds.map((g) => (
            <option key={g} value={g}>
              {label("ground", g)}
            </option>
          ))}
        </select>
      </Field>
      {ground === "changed_conditions" && cert.changes.length > 0 && (
        <Field id={id + "-change"} label={t("recall.change")}>
          <select id={id + "-change"} value={changeId} onChange={(e) => setChangeId(e.currentTarget.value)}>
            <option value="">—</option>
            {cert.changes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id}: {c.description.slice(0, 60)}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field id={id + "-reasons"} label={t("recall.reasons")} hint={t("step.reasonsHint")}>
        <textarea id={id + "-reasons"} required rows={3} value={reasons} aria-describedby={id + "-reasons-hint"} onInput={(e) => setReasons(e.currentTarget.value)} />
      </Field>
    </ActionForm>
  );
}

export function lines(s: string): string[] {
  return s.split("\n").map((r) => r.trim()).filter(Boolean);
}

/** A stored document of the certificate through its presigned link, its SHA-256 checked against the register's, then saved. */
function Download({ cert, copy, text }: { cert: Certificate; copy: Copy; text: string }) {
  useLang();
  const [file, setFile] = useState<{ url: string; name: string; sha: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { year, seq } = numberPath(cert.number);
  const fetchIt = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const link = must(await api().GET("/certificates/{year}/{seq}/document", { params: { path: { year, seq }, query: { copy } } }));
      const resp = await fetch(link.get.url, { headers: link.get.headers });
      if (!resp.ok) throw new Error(`S3 ${resp.status}`);
      const bytes = await resp.arrayBuffer();
      const sha = await sha256Hex(bytes);
      if (sha !== link.document.sha256.toLowerCase()) throw new Error(t("certs.shaMismatch"));
      const name = copy === "recall_decision" ? `recall-decision-${year}-${seq}.pdf` : `certificate-${year}-${seq}.pdf`;
      setFile({ url: URL.createObjectURL(new Blob([bytes], { type: "application/pdf" })), name, sha });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      {file ? (
        <p>
          <a class="button primary" href={file.url} download={file.name}>
            {t("certs.save", { name: file.name })}
          </a>{" "}
          <small class="ok">
            {t("certs.checked")} SHA-256 <code>{file.sha.slice(0, 12)}…</code>
          </small>
        </p>
      ) : (
        <button type="button" class="primary" disabled={busy} onClick={fetchIt}>
          {text}
        </button>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

type Props = { cert: Certificate; staff: boolean; onDone: () => void };
const inForce = (c: Certificate) => c.status === "valid";

/** §42: the connection to the information security monitoring system within a year. */
function Monitoring({ cert, staff, onDone }: Props) {
  const lang = useLang();
  const m = cert.monitoring;
  if (!m) return null;
  const path = numberPath(cert.number);
  return (
    <section class="sub" aria-label={t("monitoring.title")}>
      <h3>
        {t("monitoring.title")} <span class="rule">§42</span>
      </h3>
      <p>{m.connectedAt ? t("monitoring.connected", { at: formatMoment(m.connectedAt, lang) }) : <Due at={m.dueAt} overdue={m.overdue ?? false} />}</p>
      {!staff && !m.connectedAt && inForce(cert) && (
        <ActionForm submit={t("monitoring.notify")} run={async () => void must(await api().POST("/certificates/{year}/{seq}/monitoring", { params: { path }, headers: idem() }))} onDone={onDone} />
      )}
    </section>
  );
}

/** §43-§44: the owner's change notices and the authority's decisions on re-attestation. */
function Changes({ cert, staff, onDone }: Props) {
  const lang = useLang();
  const [description, setDescription] = useState("");
  const [serviceOnly, setServiceOnly] = useState(false);
  const path = numberPath(cert.number);
  const id = "changes-" + cert.number.replace("/", "-");
  if (cert.changes.length === 0 && (staff || !inForce(cert))) return null;
  const notify = async () => {
    must(await api().POST("/certificates/{year}/{seq}/changes", { params: { path }, body: { description, serviceSoftwareOnly: serviceOnly }, headers: idem() }));
    setDescription("");
  };
  return (
    <section class="sub" aria-label={t("changes.title")}>
      <h3>
        {t("changes.title")} <span class="rule">§43-§44</span>
      </h3>
      <ul class="plain">
        {cert.changes.map((c) => (
          <li key={c.id}>
            <strong>{c.id}</strong> · {formatMoment(c.receivedAt, lang)}: {c.description}
            {c.serviceSoftwareOnly && <span class="badge">{t("changes.serviceOnly")}</span>}
            <div>
              {c.decision ? (
                <>
                  {label("changeDecision", c.decision)} · {formatMoment(c.decidedAt, lang)}
                  {c.reasons && c.reasons.length > 0 && <div class="muted">{c.reasons.join("; ")}</div>}
                </>
              ) : (
                <>
                  {t("changes.awaiting")} <Due at={c.dueAt} overdue={c.overdue ?? false} />
                </>
              )}
            </div>
            {staff && !c.decision && <DecideChange cert={cert} change={c} onDone={onDone} />}
          </li>
        ))}
      </ul>
      {!staff && inForce(cert) && (
        <ActionForm title={t("changes.formTitle")} submit={t("changes.notify")} run={notify} onDone={onDone}>
          <Field id={id + "-description"} label={t("changes.description")}>
            <textarea id={id + "-description"} required maxLength={20000} rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </Field>
          <label class="choice">
            <input type="checkbox" checked={serviceOnly} onChange={(e) => setServiceOnly(e.currentTarget.checked)} /> {t("changes.serviceOnlyLabel")}
          </label>
        </ActionForm>
      )}
    </section>
  );
}

function DecideChange({ cert, change, onDone }: { cert: Certificate; change: Schemas["ChangeNotice"]; onDone: () => void }) {
  useLang();
  const [decision, setDecision] = useState<"reattestation_required" | "not_required">("not_required");
  const [reasons, setReasons] = useState("");
  const id = "change-" + cert.number.replace("/", "-") + "-" + change.id;
  const run = async () =>
    void must(
      await api().POST("/certificates/{year}/{seq}/changes/{changeId}/decision", {
        params: { path: { ...numberPath(cert.number), changeId: change.id } },
        body: { decision, reasons: lines(reasons) },
        headers: idem(),
      }),
    );
  return (
    <ActionForm title={t("changes.decide", { id: change.id })} submit={t("changes.decideButton")} run={run} onDone={onDone}>
      <Field id={id + "-decision"} label={t("changes.decision")}>
        <select id={id + "-decision"} value={decision} onChange={(e) => setDecision(e.currentTarget.value as "reattestation_required" | "not_required")}>
          {(["not_required", "reattestation_required"] as const).map((d) => (
            <option key={d} value={d}>
              {label("changeDecision", d)}
            </option>
          ))}
        </select>
      </Field>
      <Field id={id + "-reasons"} label={t("changes.reasons")} hint={t("step.reasonsHint")}>
        <textarea id={id + "-reasons"} required rows={2} value={reasons} aria-describedby={id + "-reasons-hint"} onInput={(e) => setReasons(e.currentTarget.value)} />
      </Field>
    </ActionForm>
  );
}

/** §48: the owner's notice of loss or damage and the duplicate the authority issues within 5 working days. */
function Duplicates({ cert, staff, onDone }: Props) {
  const lang = useLang();
  const [reason, setReason] = useState<"lost" | "damaged">("lost");
  const path = numberPath(cert.number);
  const pending = cert.duplicates.some((d) => !d.issuedAt);
  if (cert.duplicates.length === 0 && (staff || !inForce(cert))) return null;
  return (
    <section class="sub" aria-label={t("duplicates.title")}>
      <h3>
        {t("duplicates.title")} <span class="rule">§48</span>
      </h3>
      <ul class="plain">
        {cert.duplicates.map((d) => (
          <li key={d.id}>
            <strong>{d.id}</strong> · {label("duplicateReason", d.reason)} · {formatMoment(d.receivedAt, lang)}
            <div>
              {d.issuedAt ? t("duplicates.issued", { at: formatMoment(d.issuedAt, lang) }) : <Due at={d.dueAt} overdue={d.overdue ?? false} />}
            </div>
            {staff && !d.issuedAt && (
              <ActionForm submit={t("duplicates.issue", { id: d.id })}
                run={async () => void must(await api().POST("/certificates/{year}/{seq}/duplicates/{requestId}/issue", { params: { path: { ...path, requestId: d.id } }, headers: idem() }))}
                onDone={onDone} />
            )}
          </li>
        ))}
      </ul>
      {cert.duplicates.some((d) => d.issuedAt) && <Download cert={cert} copy="duplicate" text={t("duplicates.download")} />}
      {!staff && !pending && inForce(cert) && (
        <ActionForm title={t("duplicates.formTitle")} submit={t("duplicates.request")}
          run={async () => void must(await api().POST("/certificates/{year}/{seq}/duplicates", { params: { path }, body: { reason }, headers: idem() }))} onDone={onDone}>
          <fieldset>
            <legend>{t("duplicates.reason")}</legend>
            {(["lost", "damaged"] as const).map((r) => (
              <label class="choice" key={r}>
                <input type="radio" name={"dup-" + cert.number} value={r} checked={reason === r} onChange={() => setReason(r)} /> {label("duplicateReason", r)}
              </label>
            ))}
          </fieldset>
        </ActionForm>
      )}
    </section>
  );
}

/** §45(5): the owner's notice that operation ceased; the authority recalls on it. */
function Cessation({ cert, staff, onDone }: Props) {
  const lang = useLang();
  const [day, setDay] = useState("");
  const c = cert.cessation;
  const id = "cessation-" + cert.number.replace("/", "-");
  if (!c && (staff || !inForce(cert) || !cert.mandatory)) return null;
  return (
    <section class="sub" aria-label={t("cessation.title")}>
      <h3>
        {t("cessation.title")} <span class="rule">§45(5)</span>
      </h3>
      {c ? (
        <p>{t("cessation.notified", { day: formatDate(c.ceasedOn, lang), at: formatMoment(c.notifiedAt, lang) })}</p>
      ) : (
        <ActionForm submit={t("cessation.notify")}
          run={async () => void must(await api().POST("/certificates/{year}/{seq}/cessation", { params: { path: numberPath(cert.number) }, body: { ceasedOn: day }, headers: idem() }))}
          onDone={onDone}>
          <Field id={id + "-day"} label={t("cessation.day")}>
            <input id={id + "-day"} type="date" required value={day} onInput={(e) => setDay(e.currentTarget.value)} />
          </Field>
        </ActionForm>
      )}
    </section>
  );
}
