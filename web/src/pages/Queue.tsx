// The staff's work queue (GET /queue): the open steps the signed-in role acts on, earliest due
// first, with their due moments and overdue flags and each case's service term (standard §4),
// filtered by step and by overdue, page by page; for the authority, the cases the workflow stopped
// moving (case_needs_attention) with their error, handed back from the case page.
import { useState } from "preact/hooks";
import { api, must, type Schemas } from "../api";
import { label, t, useLang } from "../i18n";
import { usePaged } from "../paging";
import { href } from "../router";
import type { Role } from "../session";
import { Due, Field, More, PagedLoading, ServiceTermView, tableFrame } from "../ui";

const steps: Record<string, Schemas["QueueStep"][]> = {
  authority: ["completeness_check", "decision", "send_documents", "lapse_decision", "inform_sts", "second_decision", "second_send_documents", "case_needs_attention"],
  sts: ["send_contract", "survey", "additional_survey"],
};

export function Queue({ role }: { role: Role }) {
  useLang();
  const [step, setStep] = useState<Schemas["QueueStep"] | "">("");
  const [overdue, setOverdue] = useState(false);
  const queue = usePaged(async (cursor, limit) => {
    const query: { step?: Schemas["QueueStep"]; overdue?: "true"; limit: number; cursor?: string } = { limit };
    if (step) query.step = step;
    if (overdue) query.overdue = "true";
    if (cursor) query.cursor = cursor;
    const r = must(await api().GET("/queue", { params: { query } }));
    return { items: r.items, cursor: r.cursor };
  }, [step, overdue]);
  return (
    <>
      <h1>{t("queue.title")}</h1>
      <div class="filters">
        <Field id="queue-step" label={t("queue.step")}>
          <select id="queue-step" value={step} onChange={(e) => setStep(e.currentTarget.value as Schemas["QueueStep"])}>
            <option value="">{t("queue.allSteps")}</option>
            {(steps[role] ?? []).map((s) => (
              <option key={s} value={s}>
                {label("step", s)}
              </option>
            ))}
          </select>
        </Field>
        <label class="choice">
          <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.currentTarget.checked)} /> {t("queue.overdueOnly")}
        </label>
        <button type="button" onClick={queue.reload}>
          {t("queue.refresh")}
        </button>
      </div>
      {!queue.ready || queue.error ? (
        <PagedLoading list={queue} />
      ) : queue.items.length === 0 ? (
        <p class="muted">{t("queue.empty")}</p>
      ) : (
        <div {...tableFrame(t("queue.title"))}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("cases.object")}</th>
                <th scope="col">{t("queue.step")}</th>
                <th scope="col">{t("case.dueAt")}</th>
                <th scope="col">{t("term.title")}</th>
              </tr>
            </thead>
            <tbody>
              {queue.items.map((q) => (
                <tr key={q.caseId + q.step} class={q.overdue ? "overdue" : ""}>
                  <td>
                    <a href={href("cases", q.caseId)}>{q.objectName}</a>
                    <div class="muted">
                      <code>{q.caseId}</code>
                    </div>
                  </td>
                  <td>
                    {label("step", q.step)} <span class="rule">{q.paragraph}</span>
                    {q.attention && (
                      <div class="muted">
                        <code>{q.attention.error}</code> · {label("stage", q.attention.stage)}
                      </div>
                    )}
                  </td>
                  <td>
                    <Due at={q.dueAt} overdue={q.overdue} />
                  </td>
                  <td>{q.serviceTerm ? <ServiceTermView term={q.serviceTerm} /> : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <More list={queue} />
    </>
  );
}
