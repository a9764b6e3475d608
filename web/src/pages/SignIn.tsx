// Sign-in: on the local stack a demo identity (role, organisation, name) from the local token
// route, and how many records a page of a list holds (to try paging on few); in AWS the hosted
// sign-in of the stack's Cognito user pool (code flow with PKCE).
import { useState } from "preact/hooks";
import { syncClock } from "../api";
import type { Config } from "../config";
import { t, useLang } from "../i18n";
import { pageSize, setPageSize } from "../paging";
import { signInLocal, startCognitoSignIn, type Role } from "../session";
import { ErrorNote, Field } from "../ui";

const roles: Role[] = ["applicant", "authority", "sts", "quality_authority"];

export function SignIn({ cfg, onSignedIn }: { cfg: Config; onSignedIn: () => void }) {
  useLang();
  const [role, setRole] = useState<Role>("applicant");
  const [bin, setBin] = useState("120540001238");
  const [name, setName] = useState("");
  const [perPage, setPerPage] = useState(String(pageSize()));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (cfg.auth === "cognito") {
    return (
      <section class="card narrow">
        <h1>{t("signin.title")}</h1>
        <p>{t("signin.cognito")}</p>
        <button type="button" class="primary" onClick={() => startCognitoSignIn(cfg).catch(setError)}>
          {t("signin.button")}
        </button>
        <ErrorNote error={error} />
      </section>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await syncClock(); // the API's now first: the pages count due moments from it as soon as they show
      setPageSize(Number(perPage));
      await signInLocal(cfg, role, bin.trim(), name.trim());
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>{t("signin.title")}</h1>
      <p>{t("signin.local")}</p>
      <form onSubmit={submit}>
        <fieldset>
          <legend>{t("signin.role")}</legend>
          {roles.map((r) => (
            <label class="choice" key={r}>
              <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} /> {t(`role.${r}`)}
            </label>
          ))}
        </fieldset>
        {role === "applicant" && (
          <Field id="signin-bin" label={t("signin.bin")} hint={t("signin.binHint")}>
            <input id="signin-bin" inputMode="numeric" pattern="[0-9]{12}" maxLength={12} required value={bin} aria-describedby="signin-bin-hint"
              onInput={(e) => setBin(e.currentTarget.value)} />
          </Field>
        )}
        <Field id="signin-name" label={t("signin.name")}>
          <input id="signin-name" autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="signin-page-size" label={t("signin.pageSize")} hint={t("signin.pageSizeHint")}>
          <input id="signin-page-size" type="number" min={1} max={100} required value={perPage} aria-describedby="signin-page-size-hint"
            onInput={(e) => setPerPage(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {t("signin.button")}
        </button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
