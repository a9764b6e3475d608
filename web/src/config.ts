// Where the portal runs: on the local stack (sign-in from the local token route, the API on the
// same origin) or in AWS (Cognito's hosted sign-in with PKCE, the API at its own address). The
// file config.json beside index.html says which: the local stack answers it itself, make
// web-deploy writes it from the stack's outputs.
export interface Config {
  auth: "local" | "cognito";
  /** The API's base URL without a trailing slash; empty for the portal's own origin. */
  apiUrl: string;
  /** Cognito's hosted sign-in domain, e.g. https://attestation-x.auth.eu-central-1.amazoncognito.com. */
  signInUrl?: string;
  /** The user pool's app client for the portal (a public client: code flow with PKCE). */
  clientId?: string;
  /** The state machine, for links to a case's execution in the Step Functions console. */
  stateMachineArn?: string;
}

export async function loadConfig(): Promise<Config> {
  const resp = await fetch(new URL("config.json", document.baseURI), { cache: "no-store" });
  if (!resp.ok) throw new Error(`config.json: ${resp.status}`);
  const raw = (await resp.json()) as Partial<Config>;
  return { auth: raw.auth === "cognito" ? "cognito" : "local", apiUrl: (raw.apiUrl ?? "").replace(/\/$/, ""), ...pick(raw) };
}

function pick(raw: Partial<Config>): Partial<Config> {
  const out: Partial<Config> = {};
  if (raw.signInUrl) out.signInUrl = raw.signInUrl.replace(/\/$/, "");
  if (raw.clientId) out.clientId = raw.clientId;
  if (raw.stateMachineArn) out.stateMachineArn = raw.stateMachineArn;
  return out;
}

/** The console page of a case's execution: executions are named by their case ID. */
export function executionConsoleUrl(cfg: Config, caseId: string): string | undefined {
  const arn = cfg.stateMachineArn;
  if (!arn) return undefined;
  const parts = arn.split(":"); // arn:aws:states:<region>:<account>:stateMachine:<name>
  const region = parts[3];
  if (parts.length !== 7 || parts[5] !== "stateMachine" || !region) return undefined;
  const execution = [...parts.slice(0, 5), "execution", parts[6], caseId].join(":");
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(execution)}`;
}
