// The messages of the signed-in person's cabinet (GET /notifications): its organisation's (an
// applicant) or its role's (staff), newest first, page by page along the API's cursor; each says
// what changed, under which paragraph, by when the addressee acts, with an unread mark until it is
// marked read (POST /notifications/{id}/read). The case page lists a case's own messages with the
// same card.
import { useState } from "preact/hooks";
import { api, must, type Schemas } from "../api";
import { label, t, useLang, type Key } from "../i18n";
import { usePaged } from "../paging";
import { href } from "../router";
import { formatMoment } from "../time";
import { Due, ErrorNote, More, PagedLoading } from "../ui";

export type Notification = Schemas["Notification"];

export function Messages() {
  useLang();
  const list = usePaged(async (cursor, limit) => {
    const r = must(await api().GET("/notifications", { params: { query: cursor ? { limit, cursor } : { limit } } }));
    return { items: r.notifications, cursor: r.cursor };
  }, []);
  const unread = list.items.filter((n) => n.unread).length;
  return (
    <>
      <h1>{t("messages.title")}</h1>
      {!list.ready || list.error ? (
        <PagedLoading list={list} />
      ) : list.items.length === 0 ? (
        <p class="muted">{t("messages.none")}</p>
      ) : (
        <>
          <p>{t("messages.unreadCount", { n: unread })}</p>
          <ul class="plain messages">
            {list.items.map((n) => (
              <NotificationCard key={n.id} n={n} onRead={(r) => list.update((x) => (x.id === r.id ? r : x))} />
            ))}
          </ul>
        </>
      )}
      <More list={list} />
    </>
  );
}

/** The heading of a message: its kind in the page's language. */
export function noticeTitle(n: Notification): string {
  const key = `notice.${n.kind}` as Key;
  return t(key);
}

/** One message: what happened to which object, its paragraph, the period it starts, the reasons; mark it read. */
export function NotificationCard({ n, onRead, inCase }: { n: Notification; onRead: (n: Notification) => void; inCase?: boolean }) {
  const lang = useLang();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const read = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onRead(must(await api().POST("/notifications/{notificationId}/read", { params: { path: { notificationId: n.id } } })));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const titleId = "n-" + n.id.replace(/[^A-Za-z0-9_-]/g, "-");
  const Heading = inCase ? "h3" : "h2";
  return (
    <li class={n.unread ? "card message unread" : "card message"} aria-labelledby={titleId}>
      <Heading id={titleId}>
        {n.unread && <span class="badge unread-mark">{t("messages.unread")}</span>} {noticeTitle(n)}
      </Heading>
      <p class="muted">
        <time dateTime={n.at}>{formatMoment(n.at, lang)}</time>
        {n.paragraph && <span class="rule"> · {n.paragraph}</span>}
      </p>
      <dl class="pairs">
        {n.object && (
          <>
            <dt>{t("cases.object")}</dt>
            <dd>{n.object}</dd>
          </>
        )}
        {n.step && (
          <>
            <dt>{t("queue.step")}</dt>
            <dd>{label("step", n.step)}</dd>
          </>
        )}
        {n.outcome && (
          <>
            <dt>{t("step.outcome")}</dt>
            <dd>{label("outcome", n.outcome)}</dd>
          </>
        )}
        {n.certificate && (
          <>
            <dt>{t("case.certificate")}</dt>
            <dd>{n.certificate}</dd>
          </>
        )}
        {n.complaint && (
          <>
            <dt>{t("messages.complaint")}</dt>
            <dd>{n.complaint}</dd>
          </>
        )}
        {n.dueAt && (
          <>
            <dt>{t("case.dueAt")}</dt>
            <dd>
              <Due at={n.dueAt} />
            </dd>
          </>
        )}
        {n.reminds && (
          <>
            <dt>{t("messages.reminds")}</dt>
            <dd>
              {t(`notice.${n.reminds}` as Key)}
              {n.daysLeft !== undefined && ` · ${t("due.daysLeft", { n: n.daysLeft })}`}
            </dd>
          </>
        )}
      </dl>
      {n.reasons && n.reasons.length > 0 && (
        <ul>
          {n.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {n.caseId && !inCase && (
        <p>
          <a href={href("cases", n.caseId)}>{t("messages.openCase")}</a>
        </p>
      )}
      {n.unread && (
        <button type="button" disabled={busy} onClick={read}>
          {t("messages.markRead")}
        </button>
      )}
      <ErrorNote error={error} />
    </li>
  );
}
