// The applicant's contacts (GET/PUT /contacts): the addresses every message of its organisation
// is mailed to (at most 5) and the language the mail is written in (kk, ru or en).
import { useState } from "preact/hooks";
import { api, must, type Schemas } from "../api";
import { t, useLang, type Key } from "../i18n";
import { formatMoment } from "../time";
import { ActionForm, Field, Loading, useLoad } from "../ui";

const maxAddresses = 5;

export function Contacts() {
  useLang();
  const loaded = useLoad(async () => must(await api().GET("/contacts", {})), []);
  if (!loaded.data) return <Loading what={loaded} />;
  return <ContactsForm key={loaded.data.updatedAt ?? ""} initial={loaded.data} onSaved={loaded.reload} />;
}

function ContactsForm({ initial, onSaved }: { initial: Schemas["Contacts"]; onSaved: () => void }) {
  const lang = useLang();
  const [addresses, setAddresses] = useState(initial.addresses.join("\n"));
  const [language, setLanguage] = useState<Schemas["ContactsInput"]["language"]>(initial.language);
  const run = async () => {
    const list = addresses.split(/[\n,;]+/).map((a) => a.trim()).filter(Boolean);
    must(await api().PUT("/contacts", { body: { addresses: list, language }, headers: { "Idempotency-Key": crypto.randomUUID() } }));
  };
  return (
    <>
      <h1>{t("contacts.title")}</h1>
      <p>{t("contacts.intro", { bin: initial.bin })}</p>
      <ActionForm submit={t("contacts.save")} run={run} onDone={onSaved}>
        <Field id="contacts-addresses" label={t("contacts.addresses")} hint={t("contacts.addressesHint", { n: maxAddresses })}>
          <textarea id="contacts-addresses" rows={maxAddresses} value={addresses} aria-describedby="contacts-addresses-hint" onInput={(e) => setAddresses(e.currentTarget.value)} />
        </Field>
        <Field id="contacts-language" label={t("contacts.language")}>
          <select id="contacts-language" value={language} onChange={(e) => setLanguage(e.currentTarget.value as Schemas["ContactsInput"]["language"])}>
            {(["kk", "ru", "en"] as const).map((l) => (
              <option key={l} value={l} lang={l}>
                {t(`lang.${l}` as Key)}
              </option>
            ))}
          </select>
        </Field>
      </ActionForm>
      {initial.updatedAt && (
        <p class="ok" role="status">
          {t("contacts.saved", { at: formatMoment(initial.updatedAt, lang) })}
        </p>
      )}
    </>
  );
}
