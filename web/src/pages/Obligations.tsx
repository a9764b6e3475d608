// What is open after certificates (GET /register/obligations): for the applicant what its
// organisation owes and waits for, for the authority every certificate's — the monitoring
// connection (§42), change decisions (§44), returns after a recall (§46), duplicates (§48) and
// recalls to decide (§45) — each with who acts, its paragraph, its due moment and overdue flag.
import { useState } from "preact/hooks";
import { api, must } from "../api";
import { label, t, useLang } from "../i18n";
import { href } from "../router";
import { session } from "../session";
import { formatMoment } from "../time";
import { usePaged } from "../paging";
import { Due, More, PagedLoading, tableFrame } from "../ui";

export function Obligations() {
  const lang = useLang();
  const staff = session()?.role === "authority";
  const [overdue, setOverdue] = useState(false);
  const list = usePaged(async (cursor, limit) => {
    const query: { overdue?: boolean; limit: number; cursor?: string } = { limit };
    if (overdue) query.overdue = true;
    if (cursor) query.cursor = cursor;
    const r = must(await api().GET("/register/obligations", { params: { query } }));
    return { items: r.obligations, cursor: r.cursor };
  }, [overdue]);
  return (
    <>
      <h1>{t("obligations.title")}</h1>
      <div class="filters">
        <label class="choice">
          <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.currentTarget.checked)} /> {t("queue.overdueOnly")}
        </label>
        <button type="button" onClick={list.reload}>
          {t("queue.refresh")}
        </button>
      </div>
      {!list.ready || list.error ? (
        <PagedLoading list={list} />
      ) : list.items.length === 0 ? (
        <p class="muted">{t("obligations.none")}</p>
      ) : (
        <div {...tableFrame(t("obligations.title"))}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("obligations.certificate")}</th>
                <th scope="col">{t("obligations.what")}</th>
                <th scope="col">{t("obligations.actor")}</th>
                <th scope="col">{t("case.dueAt")}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((o) => (
                <tr key={o.certificate + o.kind + (o.id ?? "")} class={o.overdue ? "overdue" : ""}>
                  <td>
                    <a href={href("certificates")}>{o.certificate}</a>
                    <div>{o.objectName}</div>
                    {staff && <div class="muted">{o.ownerName} · {o.ownerBin}</div>}
                  </td>
                  <td>
                    {label("obligation", o.kind)} <span class="rule">{o.paragraph}</span>
                    {o.ground && <div class="muted">{label("ground", o.ground)}</div>}
                    <div class="muted">{t("obligations.since", { at: formatMoment(o.since, lang) })}</div>
                  </td>
                  <td>{label("role", o.actor)}</td>
                  <td>{o.dueAt ? <Due at={o.dueAt} overdue={o.overdue} /> : <span class="muted">{t("obligations.noPeriod")}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <More list={list} />
    </>
  );
}
