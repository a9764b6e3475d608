// The messages (notifications) of the signed-in person, with unread marks. The route
// GET /notifications comes with the notifications work (issue 13): until the API answers it, the
// page says messages are not available yet instead of failing.
import { optionalGet } from "../api";
import { t, useLang } from "../i18n";
import { href } from "../router";
import { formatMoment } from "../time";
import { Loading, useLoad } from "../ui";

interface Message {
  id: string;
  at?: string;
  createdAt?: string;
  subject?: string;
  title?: string;
  body?: string;
  text?: string;
  caseId?: string;
  read?: boolean;
  readAt?: string;
}

export function Messages() {
  const lang = useLang();
  const page = useLoad(() => optionalGet<{ notifications?: Message[]; items?: Message[] }>("/notifications"), []);
  if (page.loading || page.error) return <Loading what={page} />;
  if (!page.data) {
    return (
      <>
        <h1>{t("messages.title")}</h1>
        <p class="muted">{t("messages.unavailable")}</p>
      </>
    );
  }
  const items = page.data.notifications ?? page.data.items ?? [];
  return (
    <>
      <h1>{t("messages.title")}</h1>
      {items.length === 0 ? (
        <p class="muted">{t("messages.none")}</p>
      ) : (
        <ul class="plain messages">
          {items.map((m) => {
            const unread = !m.read && !m.readAt;
            return (
              <li key={m.id} class={unread ? "card unread" : "card"}>
                {unread && <span class="badge">{t("messages.unread")}</span>} <strong>{m.subject ?? m.title}</strong>
                <div class="muted">{formatMoment(m.at ?? m.createdAt, lang)}</div>
                <p>{m.body ?? m.text}</p>
                {m.caseId && <a href={href("cases", m.caseId)}>{t("messages.openCase")}</a>}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
