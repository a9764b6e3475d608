// The cases an applicant filed (GET /cases), page by page, with the step each waits on and its due moment.
import { api, must } from "../api";
import { label, t, useLang } from "../i18n";
import { href } from "../router";
import { formatMoment } from "../time";
import { usePaged } from "../paging";
import { Due, More, PagedLoading, tableFrame } from "../ui";

export function Cases() {
  const lang = useLang();
  const cases = usePaged(async (cursor, limit) => {
    const r = must(await api().GET("/cases", { params: { query: cursor ? { limit, cursor } : { limit } } }));
    return { items: r.cases, cursor: r.cursor };
  }, []);
  return (
    <>
      <h1>{t("cases.title")}</h1>
      {!cases.ready || cases.error ? (
        <PagedLoading list={cases} />
      ) : cases.items.length === 0 ? (
        <p class="muted">{t("cases.none")}</p>
      ) : (
        <div {...tableFrame(t("cases.title"))}>
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
              {cases.items.map((c) => (
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
      <More list={cases} />
    </>
  );
}
