// The organisation's objects of informatization (seed 004 §3): their life-cycle stages, a form to
// register one, and an application for attestation started from each.
import { useState } from "preact/hooks";
import { api, must, type Schemas } from "../api";
import { label, t, useLang } from "../i18n";
import { go } from "../router";
import { session } from "../session";
import { formatDate } from "../time";
import { ErrorNote, Field, Loading, useLoad } from "../ui";

export const kinds = ["state_is", "state_entity_is", "integrated_nonstate_is", "critical_is", "egov_platform", "state_web", "nonstate_is", "nonstate_web"];
const stages: Schemas["LifeCycleStage"][] = ["creation", "trial_operation", "testing", "industrial_operation", "development"];

export function Objects() {
  const lang = useLang();
  const objects = useLoad(async () => must(await api().GET("/objects", {})).objects, []);
  const [error, setError] = useState<unknown>();
  const apply = async (o: Schemas["Object"]) => {
    setError(undefined);
    try {
      const pkg = {
        applicant: { name: "", identityNumber: session()?.bin ?? "", type: "legal_entity" as const },
        object: { id: o.id, name: o.name, kind: o.kind, developer: o.developer },
        flags: { usesCryptography: false, usesIctServices: false, hasIntegratedObjects: false, geographicallyDistributed: false },
        stateSecret: false,
      };
      const draft = must(await api().POST("/drafts", { body: pkg as Schemas["Package"] }));
      go("drafts", draft.id);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <h1>{t("objects.title")}</h1>
      <ErrorNote error={error} />
      {objects.data ? (
        objects.data.length === 0 ? (
          <p class="muted">{t("objects.none")}</p>
        ) : (
          <ul class="cards">
            {objects.data.map((o) => (
              <li class="card" key={o.id}>
                <h2>{o.name}</h2>
                <dl class="pairs">
                  <dt>{t("objects.kind")}</dt>
                  <dd>{label("kind", o.kind)}</dd>
                  <dt>{t("objects.stage")}</dt>
                  <dd>
                    {label("lifecycle", o.lifeCycleStage)} ({formatDate(o.stageSince, lang)})
                  </dd>
                  <dt>{t("objects.mandatory")}</dt>
                  <dd>{o.mandatory ? t("yes") : t("no")}</dd>
                </dl>
                <button type="button" class="primary" onClick={() => apply(o)}>
                  {t("objects.apply")}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : (
        <Loading what={objects} />
      )}
      <Register onRegistered={objects.reload} />
    </>
  );
}

function Register({ onRegistered }: { onRegistered: () => void }) {
  useLang();
  const [form, setForm] = useState<Schemas["ObjectRegistration"]>({ kind: "state_is", name: "", developer: "", lifeCycleStage: "trial_operation" });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Schemas["ObjectRegistration"]) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      must(await api().POST("/objects", { body: form }));
      setForm({ ...form, name: "", developer: "" });
      onRegistered();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit}>
      <h2>{t("objects.register")}</h2>
      <Field id="obj-name" label={t("objects.name")}>
        <input id="obj-name" required value={form.name} onInput={set("name")} />
      </Field>
      <Field id="obj-kind" label={t("objects.kind")}>
        <select id="obj-kind" value={form.kind} onChange={set("kind")}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {label("kind", k)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="obj-developer" label={t("objects.developer")}>
        <input id="obj-developer" required value={form.developer} onInput={set("developer")} />
      </Field>
      <Field id="obj-stage" label={t("objects.stage")}>
        <select id="obj-stage" value={form.lifeCycleStage} onChange={set("lifeCycleStage")}>
          {stages.map((s) => (
            <option key={s} value={s}>
              {label("lifecycle", s)}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        {t("objects.registerButton")}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
