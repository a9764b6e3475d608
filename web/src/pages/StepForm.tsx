// The decision at a case's open step, for whoever acts on it: the authority (forward or return,
// issue with the certificate's terms in three languages, refuse, rectify, send), the STS (the
// contract, the act of the survey) and the applicant (the signed contract, the rectification).
// Reasons, documents and the act's details are asked for only where the outcome takes them; a
// document may go with its detached electronic signature (.p7s).
import { useState } from "preact/hooks";
import { api, must, now, type Completion, type Schemas } from "../api";
import { label, t, useLang, type Key } from "../i18n";
import { upload } from "../upload";
import { ErrorNote, Field } from "../ui";

type Step = Schemas["StepName"];
type Outcome = Schemas["Outcome"];
type Wording = Schemas["Wording"];

const outcomes: Record<Step, Outcome[]> = {
  completeness_check: ["forward", "return"],
  send_contract: ["contract_sent"],
  sign_contract: ["signed"],
  survey: ["act"],
  additional_survey: ["act"],
  decision: ["issue", "refuse", "rectify"],
  second_decision: ["issue", "refuse"],
  send_documents: ["sent"],
  second_send_documents: ["sent"],
  rectification_notice: ["notified"],
  lapse_decision: ["refuse"],
  inform_sts: ["informed"],
};

const withReasons: Outcome[] = ["return", "refuse", "rectify"];

/** Standard §6, §10: the grounds a return (refusing the acceptance) or a refusal (refusing the
 * service) may rest on, from the policy (Completion.grounds); at least one is named. */
const groundsOf: Partial<Record<Outcome, string[]>> = {
  return: ["incomplete_package", "expired_documents", "after_application_window"],
  refuse: ["inaccurate_documents", "noncompliance_with_rules"],
};

/** The document an outcome at a step takes (Completion.documents). */
function documentOf(step: Step, outcome: Outcome): string | undefined {
  if (outcome === "contract_sent") return "contract";
  if (outcome === "signed") return "signed_contract";
  if (outcome === "act") return step === "additional_survey" ? "additional_survey_act" : "survey_act";
  if (outcome === "notified") return "rectification_documents";
  return undefined;
}

function almatyDate(d: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Almaty", year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
}

const blank: Wording = { kk: "", ru: "", en: "" };

export function StepForm({ caseId, step, onDone }: { caseId: string; step: Step; onDone: () => void }) {
  useLang();
  const choices = outcomes[step];
  const [outcome, setOutcome] = useState<Outcome>(choices[0] ?? "forward");
  const [reasons, setReasons] = useState("");
  const [grounds, setGrounds] = useState<string[]>([]);
  const [file, setFile] = useState<File>();
  const [signature, setSignature] = useState<File>();
  const [progress, setProgress] = useState<number>();
  const [act, setAct] = useState({ number: "", date: almatyDate(now()) });
  const [category, setCategory] = useState<"public" | "restricted">("restricted");
  const [prohibition, setProhibition] = useState<Wording>(blank);
  const [change, setChange] = useState<Wording>(blank);
  const [chairman, setChairman] = useState("");
  const [position, setPosition] = useState<Wording>(blank);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const doc = documentOf(step, outcome);
  const groundChoices = groundsOf[outcome] ?? [];
  // The first ground stands chosen until the person chooses: a return or refusal names one at least.
  const chosen = grounds.filter((g) => groundChoices.includes(g));
  const named = chosen.length > 0 ? chosen : groundChoices.slice(0, 1);
  const toggle = (g: string, on: boolean) => setGrounds(on ? [...named, g] : named.filter((x) => x !== g));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: Completion = { step, outcome };
      if (withReasons.includes(outcome)) body.reasons = reasons.split("\n").map((r) => r.trim()).filter(Boolean);
      if (groundChoices.length > 0) body.grounds = named;
      if (doc && file) {
        const up = await upload("case", caseId, doc, file, setProgress, signature);
        body.documents = [{ kind: doc, key: up.key, sha256: up.sha256 }];
      }
      if (outcome === "act") body.act = act;
      if (outcome === "issue") {
        body.certificate = { informationCategory: category, prohibitions: [prohibition], notifiableChanges: [change], chairman: { name: chairman, position } };
      }
      must(await api().POST("/cases/{caseId}/step", { params: { path: { caseId } }, body, headers: { "Idempotency-Key": crypto.randomUUID() } }));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card step-form" onSubmit={submit} aria-labelledby="step-form-title">
      <h2 id="step-form-title">{t("step.formTitle", { step: label("step", step) })}</h2>
      {choices.length > 1 && (
        <fieldset>
          <legend>{t("step.outcome")}</legend>
          {choices.map((o) => (
            <label class="choice" key={o}>
              <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} /> {label("outcome", o)}
            </label>
          ))}
        </fieldset>
      )}
      {withReasons.includes(outcome) && (
        <Field id="step-reasons" label={t("step.reasons")} hint={t("step.reasonsHint")}>
          <textarea id="step-reasons" required rows={4} value={reasons} aria-describedby="step-reasons-hint" onInput={(e) => setReasons(e.currentTarget.value)} />
        </Field>
      )}
      {groundChoices.length > 0 && (
        <fieldset>
          <legend>{t("step.grounds")}</legend>
          {groundChoices.map((g) => (
            <label class="choice" key={g}>
              <input type="checkbox" name="grounds" value={g} checked={named.includes(g)} onChange={(e) => toggle(g, e.currentTarget.checked)} /> {label("ground", g)}
            </label>
          ))}
        </fieldset>
      )}
      {doc && (
        <Field id="step-document" label={label("doc", doc)}>
          <input id="step-document" type="file" required accept=".pdf" onChange={(e) => setFile(e.currentTarget.files?.[0])} />
        </Field>
      )}
      {doc && (
        <Field id="step-signature" label={t("sig.file", { what: label("doc", doc) })} hint={t("sig.hint")}>
          <input id="step-signature" type="file" accept=".p7s,.p7m,.cms,.sig" aria-describedby="step-signature-hint" onChange={(e) => setSignature(e.currentTarget.files?.[0])} />
        </Field>
      )}
      {progress !== undefined && <progress max={1} value={progress} aria-label={t("upload.progress", { what: doc ?? "" })} />}
      {outcome === "act" && (
        <div class="pair">
          <Field id="act-number" label={t("step.actNumber")}>
            <input id="act-number" required value={act.number} onInput={(e) => setAct({ ...act, number: e.currentTarget.value })} />
          </Field>
          <Field id="act-date" label={t("step.actDate")}>
            <input id="act-date" type="date" required value={act.date} onInput={(e) => setAct({ ...act, date: e.currentTarget.value })} />
          </Field>
        </div>
      )}
      {outcome === "issue" && (
        <fieldset>
          <legend>{t("terms.title")}</legend>
          <Field id="terms-category" label={t("terms.category")}>
            <select id="terms-category" value={category} onChange={(e) => setCategory(e.currentTarget.value as "public" | "restricted")}>
              <option value="restricted">{t("terms.restricted")}</option>
              <option value="public">{t("terms.public")}</option>
            </select>
          </Field>
          <Wordings id="terms-prohibition" title={t("terms.prohibition")} value={prohibition} onChange={setProhibition} />
          <Wordings id="terms-change" title={t("terms.change")} value={change} onChange={setChange} />
          <Field id="terms-chairman" label={t("terms.chairman")}>
            <input id="terms-chairman" required value={chairman} onInput={(e) => setChairman(e.currentTarget.value)} />
          </Field>
          <Wordings id="terms-position" title={t("terms.position")} value={position} onChange={setPosition} />
        </fieldset>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {t("step.submit", { outcome: label("outcome", outcome) })}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

/** One wording in the three languages of the certificate (Annex 7). */
function Wordings({ id, title, value, onChange }: { id: string; title: string; value: Wording; onChange: (w: Wording) => void }) {
  return (
    <fieldset class="wording">
      <legend>{title}</legend>
      {(["kk", "ru", "en"] as const).map((l) => (
        <Field key={l} id={`${id}-${l}`} label={`${title} (${t(`lang.${l}` as Key)})`}>
          <input id={`${id}-${l}`} lang={l} required maxLength={500} value={value[l]} onInput={(e) => onChange({ ...value, [l]: e.currentTarget.value })} />
        </Field>
      ))}
    </fieldset>
  );
}
