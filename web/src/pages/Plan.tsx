// The applicant's list of objects planned for attestation in a year (§11, Annex 1): its due moment
// (March 1, or the next working day), whether it came late, and the rows — each one of the
// organisation's objects with its life-cycle stage, the planned date and the act of testing
// (column 6). Sending it again replaces the rows as a new revision.
import { useState } from "preact/hooks";
import { api, must, now, type Schemas } from "../api";
import { label, t, useLang } from "../i18n";
import { almatyDay, formatDate, formatMoment, planDueAt } from "../time";
import { ActionForm, Due, Field, fieldId, Loading, tableFrame, useLoad } from "../ui";

type Row = Schemas["PlanRowInput"];
const stages: Schemas["LifeCycleStage"][] = ["creation", "trial_operation", "testing", "industrial_operation", "development"];

export function Plan() {
  const lang = useLang();
  const thisYear = Number(almatyDay(now()).slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const objects = useLoad(async () => must(await api().GET("/objects", {})).objects, []);
  const plan = useLoad(async () => {
    const r = await api().GET("/plans/{year}", { params: { path: { year }, query: {} } });
    if (r.response.status === 404) return null;
    return must(r);
  }, [year]);
  const due = plan.data?.dueAt ?? planDueAt(year)?.toISOString();
  return (
    <>
      <h1>{t("plan.title")}</h1>
      <Field id="plan-year" label={t("plan.year")}>
        <select id="plan-year" value={year} onChange={(e) => setYear(Number(e.currentTarget.value))}>
          {[thisYear, thisYear + 1].map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </select>
      </Field>
      <section class="card" aria-labelledby="plan-state">
        <h2 id="plan-state">{t("plan.state", { year })}</h2>
        <dl class="pairs">
          <dt>{t("plan.due")}</dt>
          <dd>
            {due && (plan.data ? <time dateTime={due}>{formatMoment(due, lang)}</time> : <Due at={due} />)} <span class="rule">§11</span>
          </dd>
          {plan.data && (
            <>
              <dt>{t("plan.sent")}</dt>
              <dd>
                {formatMoment(plan.data.firstSubmittedAt, lang)}{" "}
                {plan.data.late ? <strong class="badge overdue">{t("plan.late")}</strong> : <span class="badge">{t("plan.onTime")}</span>}
              </dd>
              <dt>{t("plan.revision")}</dt>
              <dd>
                {plan.data.revision} · {formatMoment(plan.data.submittedAt, lang)}
              </dd>
            </>
          )}
        </dl>
        {plan.loading && !plan.data ? <Loading what={plan} /> : plan.data === null && <p class="muted">{t("plan.none", { year })}</p>}
        {plan.data && plan.data.rows.length > 0 && (
          <div {...tableFrame(t("plan.title"))}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("cases.object")}</th>
                  <th scope="col">{t("objects.stage")}</th>
                  <th scope="col">{t("plan.plannedDate")}</th>
                  <th scope="col">{t("plan.testingAct")}</th>
                </tr>
              </thead>
              <tbody>
                {plan.data.rows.map((r) => (
                  <tr key={r.objectId}>
                    <td>{r.objectName}</td>
                    <td>{label("lifecycle", r.lifeCycleStage)}</td>
                    <td>{formatDate(r.plannedDate, lang)}</td>
                    <td>{r.testingAct ? `${r.testingAct.number}, ${formatDate(r.testingAct.date, lang)}` : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {objects.data && plan.data !== undefined && (
        <PlanForm key={year + ":" + (plan.data?.revision ?? 0)} year={year} objects={objects.data} sent={plan.data?.rows ?? []} onDone={plan.reload} />
      )}
    </>
  );
}

function PlanForm({ year, objects, sent, onDone }: { year: number; objects: Schemas["Object"][]; sent: Schemas["PlanRow"][]; onDone: () => void }) {
  useLang();
  const start: Row[] = sent.map((r) => ({ objectId: r.objectId, lifeCycleStage: r.lifeCycleStage, plannedDate: r.plannedDate, ...(r.testingAct ? { testingAct: r.testingAct } : {}) }));
  const [rows, setRows] = useState<Row[]>(start);
  const live = objects.filter((o) => o.lifeCycleStage !== "terminated");
  const blank = (): Row => ({ objectId: live[0]?.id ?? "", lifeCycleStage: live[0]?.lifeCycleStage ?? "trial_operation", plannedDate: `${year}-11-16` });
  const set = (i: number, r: Row) => setRows(rows.map((x, j) => (j === i ? r : x)));
  const run = async () => void must(await api().PUT("/plans/{year}", { params: { path: { year } }, body: { rows }, headers: { "Idempotency-Key": crypto.randomUUID() } }));
  return (
    <ActionForm title={sent.length ? t("plan.revise") : t("plan.formTitle")} submit={t("plan.send")} run={run} onDone={onDone}>
      {rows.map((r, i) => {
        const id = (k: string) => fieldId(`rows[${i}].${k}`);
        const act = r.testingAct ?? { number: "", date: "" };
        const setAct = (a: { number: string; date: string }) => {
          const { testingAct: _drop, ...rest } = r;
          set(i, a.number || a.date ? { ...rest, testingAct: a } : rest);
        };
        return (
          <fieldset class="row" key={i}>
            <legend>{t("draft.row", { n: i + 1 })}</legend>
            <Field id={id("objectId")} label={t("cases.object")}>
              <select id={id("objectId")} value={r.objectId} onChange={(e) => {
                const o = live.find((x) => x.id === e.currentTarget.value);
                set(i, { ...r, objectId: e.currentTarget.value, ...(o ? { lifeCycleStage: o.lifeCycleStage } : {}) });
              }}>
                {live.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field id={id("lifeCycleStage")} label={t("objects.stage")}>
              <select id={id("lifeCycleStage")} value={r.lifeCycleStage} onChange={(e) => set(i, { ...r, lifeCycleStage: e.currentTarget.value as Row["lifeCycleStage"] })}>
                {stages.map((s) => (
                  <option key={s} value={s}>
                    {label("lifecycle", s)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id={id("plannedDate")} label={t("plan.plannedDate")}>
              <input id={id("plannedDate")} type="date" required value={r.plannedDate} onInput={(e) => set(i, { ...r, plannedDate: e.currentTarget.value })} />
            </Field>
            <div class="pair">
              <Field id={id("testingAct.number")} label={t("plan.testingActNumber")}>
                <input id={id("testingAct.number")} value={act.number} onInput={(e) => setAct({ ...act, number: e.currentTarget.value })} />
              </Field>
              <Field id={id("testingAct.date")} label={t("plan.testingActDate")}>
                <input id={id("testingAct.date")} type="date" value={act.date} onInput={(e) => setAct({ ...act, date: e.currentTarget.value })} />
              </Field>
            </div>
            <button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
              {t("draft.removeRow", { n: i + 1 })}
            </button>
          </fieldset>
        );
      })}
      <p>
        <button type="button" disabled={live.length === 0} onClick={() => setRows([...rows, blank()])}>
          {t("plan.addRow")}
        </button>
      </p>
    </ActionForm>
  );
}
