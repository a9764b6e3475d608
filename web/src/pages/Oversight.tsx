// The authority's oversight reports: the mandatory objects in industrial operation without a valid
// certificate at this moment (§4), and a year's lists of objects planned for attestation against
// the applications filed (§11, Annex 1).
import { useState } from "preact/hooks";
import { api, must, now } from "../api";
import { label, t, useLang } from "../i18n";
import { href } from "../router";
import { almatyDay, formatDate, formatMoment } from "../time";
import { Field, Loading, tableFrame, useLoad } from "../ui";

export function Oversight() {
  const lang = useLang();
  const thisYear = Number(almatyDay(now()).slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const ops = useLoad(async () => must(await api().GET("/oversight/operation-without-certificate", {})), []);
  const plans = useLoad(async () => must(await api().GET("/oversight/plans/{year}", { params: { path: { year } } })), [year]);
  return (
    <>
      <h1>{t("oversight.title")}</h1>
      <section class="card" aria-labelledby="ops-title">
        <h2 id="ops-title">
          {t("oversight.operation")} <span class="rule">§4</span>
        </h2>
        {!ops.data ? (
          <Loading what={ops} />
        ) : (
          <>
            <p class="muted">{t("oversight.at", { at: formatMoment(ops.data.at, lang), n: ops.data.count })}</p>
            {ops.data.objects.length > 0 && (
              <div {...tableFrame(t("oversight.title"))}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t("cases.object")}</th>
                      <th scope="col">{t("oversight.reason")}</th>
                      <th scope="col">{t("oversight.since")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {ops.data.objects.map((o) => (
                      <tr key={o.objectId}>
                        <td>
                          {o.objectName}
                          <div class="muted">
                            {label("kind", o.kind)} · {o.organization}
                          </div>
                        </td>
                        <td>
                          {label("unattested", o.reason)} {o.certificate && <code>{o.certificate}</code>} <span class="rule">{o.paragraph}</span>
                          {o.reasonAt && <div class="muted">{formatMoment(o.reasonAt, lang)}</div>}
                        </td>
                        <td>{formatDate(o.since, lang)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </section>
      <section class="card" aria-labelledby="plans-title">
        <h2 id="plans-title">
          {t("oversight.plans")} <span class="rule">§11</span>
        </h2>
        <Field id="oversight-year" label={t("plan.year")}>
          <select id="oversight-year" value={year} onChange={(e) => setYear(Number(e.currentTarget.value))}>
            {[thisYear - 1, thisYear, thisYear + 1].map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </Field>
        {!plans.data ? (
          <Loading what={plans} />
        ) : (
          <>
            <h3>{t("oversight.plannedWithout", { n: plans.data.plannedWithoutApplication.length })}</h3>
            {plans.data.plannedWithoutApplication.length > 0 && (
              <ul class="plain">
                {plans.data.plannedWithoutApplication.map((r) => (
                  <li key={r.organization + r.objectId}>
                    <strong>{r.objectName}</strong> · {r.organization} · {t("plan.plannedDate")}: {formatDate(r.plannedDate, lang)}
                    {r.planLate && <span class="badge overdue">{t("plan.late")}</span>}
                  </li>
                ))}
              </ul>
            )}
            <h3>{t("oversight.withoutPlan", { n: plans.data.applicationsWithoutPlan.length })}</h3>
            {plans.data.applicationsWithoutPlan.length > 0 && (
              <ul class="plain">
                {plans.data.applicationsWithoutPlan.map((r) => (
                  <li key={r.caseId}>
                    <a href={href("cases", r.caseId)}>{r.objectName}</a> · {r.organization} · {label("stage", r.stage)} ·{" "}
                    {r.planSent ? t("oversight.planSent") : t("oversight.noPlan")}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>
    </>
  );
}
