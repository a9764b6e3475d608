// The application package as a draft (§13, Annexes 2-6): the form on the left, the machine check
// of the package beside it, live (every change is saved and checked again), each problem a link
// to its field and naming its paragraph; the documents the check asks for, each uploaded with a
// progress bar and its SHA-256 computed here; filing once the check is complete.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, must, type Draft as DraftT, type FieldProblem, type Package, type Schemas } from "../api";
import { label, t, useLang, type Key } from "../i18n";
import { go } from "../router";
import { upload } from "../upload";
import { ErrorNote, Field, fieldId, focusField, Loading, SignedBy, useLoad } from "../ui";

type Hardware = Schemas["HardwareItem"];
type Software = Schemas["SoftwareItem"];
type Integrated = Schemas["IntegratedObject"];

/** The problem of exactly this field, if the check has one. */
function problemOf(problems: FieldProblem[], path: string): string | undefined {
  const p = problems.find((x) => x.field === path);
  return p && `${p.message} (${p.rule})`;
}

export function Draft({ id }: { id: string }) {
  useLang();
  const loaded = useLoad(async () => must(await api().GET("/drafts/{draftId}", { params: { path: { draftId: id } } })), [id]);
  if (!loaded.data) return <Loading what={loaded} />;
  return <DraftForm key={id} initial={loaded.data} />;
}

function DraftForm({ initial }: { initial: DraftT }) {
  useLang();
  const [draft, setDraft] = useState(initial);
  const [pkg, setPkg] = useState<Package>(initial.package as unknown as Package);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const [filing, setFiling] = useState(false);
  const dirty = useRef(false);
  const problems = draft.check?.problems ?? [];

  // Every change is saved after a pause and checked again (PUT answers the check).
  useEffect(() => {
    if (!dirty.current) return;
    const timer = setTimeout(async () => {
      setSaving(true);
      try {
        const { documents: _documents, ...data } = pkg;
        setDraft(must(await api().PUT("/drafts/{draftId}", { params: { path: { draftId: draft.id } }, body: data as Package })));
        setError(undefined);
      } catch (err) {
        setError(err);
      } finally {
        setSaving(false);
      }
    }, 600);
    return () => clearTimeout(timer);
  }, [pkg]);

  const change = (next: Package) => {
    dirty.current = true;
    setPkg(next);
  };
  const refresh = async () => {
    const d = must(await api().GET("/drafts/{draftId}", { params: { path: { draftId: draft.id } } }));
    setDraft(d);
  };
  const file = async () => {
    setFiling(true);
    setError(undefined);
    try {
      const c = must(await api().POST("/drafts/{draftId}/submit", { params: { path: { draftId: draft.id } } }));
      go("cases", c.id);
    } catch (err) {
      setError(err);
    } finally {
      setFiling(false);
    }
  };

  const docs = (draft.package as unknown as Package).documents ?? {};
  const wanted = [...new Set([...Object.keys(docs), ...problems.filter((p) => p.field.startsWith("documents.")).map((p) => p.field.slice(10))])].sort();
  const flags = pkg.flags;
  const setFlag = (k: keyof Package["flags"]) => (e: Event) => change({ ...pkg, flags: { ...flags, [k]: (e.currentTarget as HTMLInputElement).checked } });

  return (
    <div class="draft">
      <div class="form">
        <h1>{t("draft.title")}</h1>
        <Section title={t("draft.applicant")}>
          <Field id={fieldId("applicant.name")} label={t("draft.applicantName")} problem={problemOf(problems, "applicant.name")}>
            <input id={fieldId("applicant.name")} value={pkg.applicant.name} onInput={(e) => change({ ...pkg, applicant: { ...pkg.applicant, name: e.currentTarget.value } })} />
          </Field>
          <Field id={fieldId("applicant.identityNumber")} label={t("draft.identityNumber")} problem={problemOf(problems, "applicant.identityNumber")}>
            <input id={fieldId("applicant.identityNumber")} inputMode="numeric" maxLength={12} value={pkg.applicant.identityNumber}
              onInput={(e) => change({ ...pkg, applicant: { ...pkg.applicant, identityNumber: e.currentTarget.value } })} />
          </Field>
          <Field id={fieldId("applicant.type")} label={t("draft.applicantType")} problem={problemOf(problems, "applicant.type")}>
            <select id={fieldId("applicant.type")} value={pkg.applicant.type}
              onChange={(e) => change({ ...pkg, applicant: { ...pkg.applicant, type: e.currentTarget.value as "legal_entity" | "individual" } })}>
              <option value="legal_entity">{t("draft.legalEntity")}</option>
              <option value="individual">{t("draft.individual")}</option>
            </select>
          </Field>
        </Section>
        <Section title={t("draft.object")}>
          <p>
            <strong>{pkg.object.name}</strong> — {label("kind", pkg.object.kind)}
          </p>
          <Field id={fieldId("object.developer")} label={t("objects.developer")} problem={problemOf(problems, "object.developer")}>
            <input id={fieldId("object.developer")} value={pkg.object.developer ?? ""} onInput={(e) => change({ ...pkg, object: { ...pkg.object, developer: e.currentTarget.value } })} />
          </Field>
        </Section>
        <Section title={t("draft.facts")}>
          {(["usesCryptography", "usesIctServices", "hasIntegratedObjects", "geographicallyDistributed"] as const).map((k) => (
            <label class="choice" key={k}>
              <input type="checkbox" id={fieldId("flags." + k)} checked={flags[k]} onChange={setFlag(k)} /> {t(`flag.${k}` as Key)}
            </label>
          ))}
          <label class="choice">
            <input type="checkbox" id={fieldId("stateSecret")} checked={pkg.stateSecret} onChange={(e) => change({ ...pkg, stateSecret: e.currentTarget.checked })} /> {t("flag.stateSecret")}
          </label>
        </Section>
        {!flags.usesIctServices && (
          <>
            <Rows<Hardware> title={t("draft.hardware")} path="hardware" rows={pkg.hardware ?? []} problems={problems}
              empty={{ manufacturerModel: "", serialNumber: "", location: "", type: "", purpose: "", protection: "" }}
              fields={["manufacturerModel", "serialNumber", "certificateNumber", "location", "type", "purpose", "protection", "integratedSoftware", "ipAddresses"]}
              onChange={(hardware) => change({ ...pkg, hardware })} />
            <Rows<Software> title={t("draft.software")} path="software" rows={pkg.software ?? []} problems={problems}
              empty={{ developer: "", name: "", version: "", installedOn: [], type: "", purpose: "", protection: "" }}
              fields={["developer", "name", "version", "installedOn", "type", "purpose", "protection"]}
              onChange={(software) => change({ ...pkg, software })} />
          </>
        )}
        {flags.hasIntegratedObjects && (
          <Rows<Integrated> title={t("draft.integrated")} path="integrated" rows={pkg.integrated ?? []} problems={problems}
            empty={{ name: "", owner: "", interaction: "" }} fields={["name", "owner", "interaction"]}
            onChange={(integrated) => change({ ...pkg, integrated })} />
        )}
        <Section title={t("draft.documents")}>
          <ul class="documents">
            {wanted.map((doc) => (
              <DocumentRow key={doc} draftId={draft.id} doc={doc} stored={docs[doc]} problem={problemOf(problems, "documents." + doc)} onUploaded={refresh} />
            ))}
          </ul>
        </Section>
      </div>
      <aside class="check card" aria-live="polite" aria-labelledby="check-title">
        <h2 id="check-title">{t("check.title")}</h2>
        {saving && <p class="muted">{t("check.saving")}</p>}
        {draft.check?.complete ? (
          <p class="ok">{t("check.complete")}</p>
        ) : (
          <>
            <p>{t("check.problems", { n: problems.length })}</p>
            <ol class="problems">
              {problems.map((p, i) => (
                <li key={i}>
                  <button type="button" class="link" onClick={() => focusField(p.field)}>
                    {p.field.startsWith("documents.") ? label("doc", p.field.slice(10)) : p.field || t("check.whole")}
                  </button>{" "}
                  <span lang="en">{p.message}</span> <span class="rule">{p.rule}</span>
                </li>
              ))}
            </ol>
          </>
        )}
        <button type="button" class="primary" disabled={!draft.check?.complete || filing || saving} onClick={file}>
          {t("draft.file")}
        </button>
        <ErrorNote error={error} />
      </aside>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <fieldset class="card">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

/** An editable list of rows of an annex; list fields (ipAddresses, installedOn) are typed comma-separated. */
function Rows<T extends object>(props: { title: string; path: string; rows: T[]; empty: T; fields: (keyof T & string)[]; problems: FieldProblem[]; onChange: (rows: T[]) => void }) {
  const { rows, path, onChange } = props;
  const set = (i: number, k: keyof T & string, v: string) => {
    const next = rows.slice();
    const list = Array.isArray(props.empty[k]) || k === "ipAddresses";
    next[i] = { ...rows[i], [k]: list ? v.split(",").map((s) => s.trim()).filter(Boolean) : v } as T;
    onChange(next);
  };
  return (
    <fieldset class="card">
      <legend id={fieldId(path)} tabIndex={-1}>
        {props.title}
      </legend>
      {rows.map((row, i) => (
        <fieldset class="row" key={i}>
          <legend>{t("draft.row", { n: i + 1 })}</legend>
          {props.fields.map((k) => {
            const id = fieldId(`${path}[${i}].${k}`);
            const v = (row as Record<string, unknown>)[k];
            return (
              <Field key={k} id={id} label={t(`${path}.${k}` as Key)} problem={problemOf(props.problems, `${path}[${i}].${k}`)}>
                <input id={id} value={Array.isArray(v) ? v.join(", ") : String(v ?? "")} onInput={(e) => set(i, k, e.currentTarget.value)} />
              </Field>
            );
          })}
          <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            {t("draft.removeRow", { n: i + 1 })}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => onChange([...rows, { ...props.empty }])}>
        {t("draft.addRow", { what: props.title })}
      </button>
    </fieldset>
  );
}

function DocumentRow(props: { draftId: string; doc: string; stored?: Schemas["DocumentRef"]; problem?: string; onUploaded: () => Promise<void> }) {
  useLang();
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [file, setFile] = useState<File>();
  const [signature, setSignature] = useState<File>();
  const id = fieldId("documents." + props.doc);
  const send = async (f: File, sig: File | undefined) => {
    setFile(f);
    setError(undefined);
    setProgress(0);
    try {
      await upload("draft", props.draftId, props.doc, f, setProgress, sig);
      await props.onUploaded();
      setProgress(undefined);
    } catch (err) {
      setError(err);
    }
  };
  // The signature may come before the document or after it: after, the document goes again with it.
  const sign = (sig: File | undefined) => {
    setSignature(sig);
    if (file && sig) void send(file, sig);
  };
  const name = label("doc", props.doc);
  const signed = props.stored?.signature as Schemas["EDSSignature"] | undefined;
  return (
    <li class={props.stored ? "document done" : "document"}>
      <label for={id}>{name}</label>
      <input id={id} type="file" accept=".pdf,.png,.jpg,.jpeg,.tif,.tiff" onChange={(e) => e.currentTarget.files?.[0] && send(e.currentTarget.files[0], signature)} />
      <label for={id + "-signature"} class="secondary">
        {t("sig.file", { what: name })}
      </label>
      <input id={id + "-signature"} type="file" accept=".p7s,.p7m,.cms,.sig" aria-describedby={id + "-signature-hint"} onChange={(e) => sign(e.currentTarget.files?.[0])} />
      <small id={id + "-signature-hint"} class="muted">
        {t("sig.hint")}
      </small>
      {progress !== undefined && !error && <progress max={1} value={progress} aria-label={t("upload.progress", { what: name })} />}
      {props.stored && (
        <small class="ok">
          {t("upload.done")} · SHA-256 <code title={props.stored.sha256}>{props.stored.sha256.slice(0, 12)}…</code>
        </small>
      )}
      {signed && <SignedBy sig={signed} />}
      {!props.stored && props.problem && <small class="problem" lang="en">{props.problem}</small>}
      {error !== undefined && (
        <div>
          <ErrorNote error={error} />
          {file && (
            <button type="button" onClick={() => send(file, signature)}>
              {t("upload.retry")}
            </button>
          )}
        </div>
      )}
    </li>
  );
}
