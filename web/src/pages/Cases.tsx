// The cases an applicant filed (GET /cases), with the step each waits on and its due moment.
import { api, must } from "../api";
import { label, t, useLang } from "../i18n";
import { href } from "../router";
import { formatMoment } from "../time";
import { Due, Loading, useLoad } from "../ui";

export function Cases() {
  const lang = useLang();
  const cases = useLoad(async () => must(await api().GET("/cases", {})).cases, []);
  return (
    <>
      <h1>{t("cases.title")}</h1>
      {!cases.data ? (
        <Loading what={cases} />
      ) : cases.data.length === 0 ? (
        <p class="muted">{t("cases.none")}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("cases.object")}</th>
                <th scope="col">{t("case.stage")}</th>
                <th scope="col">{t("case.submitted")}</th>
                <th scope="col">{t("case.dueAt")}</th>
              </tr>
            </thead>
            <tbody>
              {cases.data.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={href("cases", c.id)}>{c.objectName}</a>
                    <div class="muted">
                      <code>{c.id}</code>
                    </div>
                  </td>
                  <td>{label("stage", c.stage)}</td>
                  <td>{formatMoment(c.submittedAt, lang)}</td>
                  <td>{c.openStep && <Due at={c.openStep.dueAt} overdue={c.openStep.overdue} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
