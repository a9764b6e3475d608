// The web portal for applicants and staff: a single-page application over the HTTP API.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { configure, syncClock } from "./api";
import { loadConfig, type Config } from "./config";
import { lang, langs, setLang, t, useLang, type Key } from "./i18n";
import { CasePage } from "./pages/CasePage";
import { Cases } from "./pages/Cases";
import { Certificates } from "./pages/Certificates";
import { Complaints } from "./pages/Complaints";
import { Contacts } from "./pages/Contacts";
import { Draft } from "./pages/Draft";
import { Messages } from "./pages/Messages";
import { Objects } from "./pages/Objects";
import { Obligations } from "./pages/Obligations";
import { Oversight } from "./pages/Oversight";
import { Plan } from "./pages/Plan";
import { Queue } from "./pages/Queue";
import { SignIn } from "./pages/SignIn";
import { go, href, usePath } from "./router";
import { completeCognitoSignIn, session, signOut, subscribe, type Role } from "./session";
import { ErrorNote } from "./ui";
import "./styles.css";

const nav: Record<Role, [Key, string][]> = {
  applicant: [["nav.objects", "objects"], ["nav.plan", "plan"], ["nav.cases", "cases"], ["nav.certificates", "certificates"], ["nav.obligations", "obligations"],
    ["nav.complaints", "complaints"], ["nav.messages", "messages"], ["nav.contacts", "contacts"]],
  authority: [["nav.queue", "queue"], ["nav.register", "certificates"], ["nav.obligations", "obligations"], ["nav.complaints", "complaints"],
    ["nav.oversight", "oversight"], ["nav.messages", "messages"]],
  sts: [["nav.queue", "queue"], ["nav.messages", "messages"]],
  quality_authority: [["nav.complaints", "complaints"], ["nav.messages", "messages"]],
};

function useSession() {
  const [s, setS] = useState(session());
  useEffect(() => {
    setS(session());
    return subscribe(() => setS(session()));
  }, []);
  return s;
}

function LanguageSwitch() {
  const current = useLang();
  return (
    <div class="langs" role="group" aria-label={t("lang.switch")}>
      {langs.map((l) => (
        <button type="button" key={l} lang={l} aria-pressed={current === l} onClick={() => setLang(l)}>
          {t(`lang.${l}` as Key)}
        </button>
      ))}
    </div>
  );
}

function Page({ cfg, role }: { cfg: Config; role: Role }) {
  const p = usePath();
  const [first, second] = p;
  if (first === "drafts" && second) return <Draft id={second} />;
  if (first === "cases" && second) return <CasePage id={second} cfg={cfg} />;
  if (first === "cases") return <Cases />;
  if (first === "objects") return <Objects />;
  if (first === "certificates") return <Certificates />;
  if (first === "queue") return <Queue role={role} />;
  if (first === "messages") return <Messages />;
  if (first === "contacts") return <Contacts />;
  if (first === "plan") return <Plan />;
  if (first === "obligations") return <Obligations />;
  if (first === "complaints") return <Complaints />;
  if (first === "oversight") return <Oversight />;
  return role === "applicant" ? <Objects /> : role === "quality_authority" ? <Complaints /> : <Queue role={role} />;
}

function App({ cfg }: { cfg: Config }) {
  useLang();
  const s = useSession();
  const p = usePath();
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        {t("skip")}
      </a>
      <header>
        <div class="brand">{t("app.title")}</div>
        <LanguageSwitch />
        {s && (
          <div class="who">
            <span>
              {s.name} · {t(`role.${s.role}` as Key)}
              {s.bin && ` · ${s.bin}`}
            </span>
            <button type="button" onClick={() => signOut(cfg)}>
              {t("signout")}
            </button>
          </div>
        )}
      </header>
      {s && (
        <nav aria-label={t("nav.label")}>
          <ul>
            {nav[s.role].map(([k, to]) => (
              <li key={to}>
                <a href={href(to)} aria-current={p[0] === to ? "page" : undefined}>
                  {t(k)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {s ? <Page cfg={cfg} role={s.role} /> : <SignIn cfg={cfg} onSignedIn={() => go("")} />}
      </main>
    </>
  );
}

async function start() {
  const root = document.getElementById("app")!;
  document.documentElement.lang = lang();
  try {
    const cfg = await loadConfig();
    configure(cfg);
    if (cfg.auth === "cognito" && (await completeCognitoSignIn(cfg))) await syncClock();
    render(<App cfg={cfg} />, root);
  } catch (err) {
    render(<ErrorNote error={err} />, root);
  }
}

void start();
