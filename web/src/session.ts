// Who is signed in. The token lives in this module's memory only: never in localStorage,
// sessionStorage or a cookie; a reload signs the person out. Only the PKCE verifier and state of
// a sign-in in progress sit in sessionStorage between the redirect to Cognito and back.
import type { Config } from "./config";

export type Role = "applicant" | "authority" | "sts" | "quality_authority";

export interface Session {
  token: string;
  role: Role;
  name: string;
  subject: string;
  bin?: string;
}

let current: Session | undefined;
const listeners = new Set<() => void>();

export function session(): Session | undefined {
  return current;
}

export function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(s: Session | undefined) {
  current = s;
  listeners.forEach((fn) => fn());
}

/** The claims of a JWT as the API reads them (the API checks the signature; the portal only shows them). */
export function fromToken(token: string): Session {
  const payload = token.split(".")[1] ?? "";
  const json = new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));
  const claims = JSON.parse(json) as Record<string, unknown>;
  const groups = claims["cognito:groups"];
  const role = (Array.isArray(groups) ? groups[0] : groups) as Role;
  const s: Session = { token, role, name: String(claims["name"] ?? claims["email"] ?? ""), subject: String(claims["sub"] ?? "") };
  if (typeof claims["custom:bin"] === "string") s.bin = claims["custom:bin"];
  return s;
}

export function signOut(cfg: Config) {
  set(undefined);
  if (cfg.auth === "cognito" && cfg.signInUrl && cfg.clientId) {
    const back = location.origin + "/";
    location.assign(`${cfg.signInUrl}/logout?client_id=${encodeURIComponent(cfg.clientId)}&logout_uri=${encodeURIComponent(back)}`);
  }
}

/** Locally: a token for a demo identity from the local stack's token route. */
export async function signInLocal(cfg: Config, role: Role, bin: string, name: string): Promise<void> {
  const q = new URLSearchParams({ role });
  if (role === "applicant" && bin) q.set("bin", bin);
  if (name) q.set("name", name);
  const resp = await fetch(`${cfg.apiUrl}/_local/token?${q}`);
  const body = (await resp.json()) as { token?: string; error?: string };
  if (!resp.ok || !body.token) throw new Error(body.error ?? `${resp.status}`);
  set(fromToken(body.token));
}

const pkceKey = "attestation.pkce";

function base64url(bytes: Uint8Array): string {
  let s = "";
  bytes.forEach((b) => (s += String.fromCharCode(b)));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function redirectUri(): string {
  return location.origin + "/callback";
}

/** In AWS: to Cognito's hosted sign-in with the authorization code flow and PKCE (S256). */
export async function startCognitoSignIn(cfg: Config): Promise<void> {
  if (!cfg.signInUrl || !cfg.clientId) throw new Error("config.json names no sign-in domain or client");
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  sessionStorage.setItem(pkceKey, JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({ response_type: "code", client_id: cfg.clientId, redirect_uri: redirectUri(), scope: "openid email profile",
    state, code_challenge: challenge, code_challenge_method: "S256" });
  location.assign(`${cfg.signInUrl}/oauth2/authorize?${q}`);
}

/** Back from Cognito at /callback?code=...&state=...: the code for the ID token (kept in memory). */
export async function completeCognitoSignIn(cfg: Config): Promise<boolean> {
  const q = new URLSearchParams(location.search);
  const code = q.get("code");
  if (location.pathname !== "/callback" || !code) return false;
  const saved = JSON.parse(sessionStorage.getItem(pkceKey) ?? "{}") as { verifier?: string; state?: string };
  sessionStorage.removeItem(pkceKey);
  history.replaceState(null, "", "/");
  if (!saved.verifier || saved.state !== q.get("state") || !cfg.signInUrl || !cfg.clientId) throw new Error("the sign-in's state does not match");
  const resp = await fetch(`${cfg.signInUrl}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", client_id: cfg.clientId, code, redirect_uri: redirectUri(), code_verifier: saved.verifier }),
  });
  const body = (await resp.json()) as { id_token?: string };
  if (!resp.ok || !body.id_token) throw new Error(`token endpoint: ${resp.status}`);
  set(fromToken(body.id_token));
  return true;
}
