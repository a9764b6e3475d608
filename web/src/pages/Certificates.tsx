// The organisation's certificates (GET /certificates): status, term, and the certificate's PDF,
// fetched through its presigned link, its SHA-256 checked here against the register's, and saved.
import { useState } from "preact/hooks";
import { api, apiBase, must, type Schemas } from "../api";
import { t, useLang } from "../i18n";
import { formatDate } from "../time";
import { sha256Hex } from "../upload";
import { ErrorNote, Loading, useLoad } from "../ui";

export function Certificates() {
  const lang = useLang();
  const list = useLoad(async () => must(await api().GET("/certificates", {})).certificates, []);
  return (
    <>
      <h1>{t("certs.title")}</h1>
      {!list.data ? (
        <Loading what={list} />
      ) : list.data.length === 0 ? (
        <p class="muted">{t("certs.none")}</p>
      ) : (
        <ul class="cards">
          {list.data.map((c) => (
            <li class="card" key={c.number}>
              <h2>
                {t("certs.number", { n: c.number })} — {c.objectName}
              </h2>
              <dl class="pairs">
                <dt>{t("certs.status")}</dt>
                <dd>{t(`certs.status.${c.status}`)}</dd>
                <dt>{t("certs.issued")}</dt>
                <dd>{formatDate(c.issuedAt, lang)}</dd>
                <dt>{t("certs.validUntil")}</dt>
                <dd>{c.validUntil ? formatDate(c.validUntil, lang) : t("certs.industrial")}</dd>
                <dt>{t("certs.act")}</dt>
                <dd>
                  {c.act.number}, {formatDate(c.act.date, lang)}
                </dd>
              </dl>
              <Download cert={c} />
              <p>
                <a href={`${apiBase()}/certificates/${c.number}`} target="_blank" rel="noopener noreferrer">
                  {t("certs.verification")}
                </a>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Download({ cert }: { cert: Schemas["Certificate"] }) {
  useLang();
  const [file, setFile] = useState<{ url: string; name: string; sha: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [year, seq] = cert.number.split("/") as [string, string];
  const fetchIt = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const link = must(await api().GET("/certificates/{year}/{seq}/document", { params: { path: { year: Number(year), seq } } }));
      const resp = await fetch(link.get.url, { headers: link.get.headers });
      if (!resp.ok) throw new Error(`S3 ${resp.status}`);
      const bytes = await resp.arrayBuffer();
      const sha = await sha256Hex(bytes);
      if (sha !== link.document.sha256.toLowerCase()) throw new Error(t("certs.shaMismatch"));
      setFile({ url: URL.createObjectURL(new Blob([bytes], { type: "application/pdf" })), name: `certificate-${year}-${seq}.pdf`, sha });
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
          {t("certs.download")}
        </button>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
