// The API client: openapi-fetch over the types openapi-typescript generates from
// internal/httpapi/openapi.yaml (api/schema.d.ts), so every path, parameter and body here is the
// API's own; the build fails when the generated types and the document disagree.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./api/schema";
import type { Config } from "./config";
import { session } from "./session";

export type Schemas = components["schemas"];
export type Case = Schemas["Case"];
export type Draft = Schemas["Draft"];
export type Package = Schemas["Package"];
export type FieldProblem = Schemas["FieldProblem"];
export type Completion = Schemas["Completion"];
export type Presigned = Schemas["Presigned"];

/**
 * A refusal as the API words it: an RFC 9457 problem (its type, urn:attestation:problem:<slug>,
 * its English title and detail, and on a 422 the field problems) or API Gateway's message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: FieldProblem[] = [],
    readonly type?: string,
    readonly title?: string,
  ) {
    super(message);
  }

  /** The slug of the problem type (invalid-request), or undefined for an answer that is not a problem. */
  get slug(): string | undefined {
    const prefix = "urn:attestation:problem:";
    return this.type?.startsWith(prefix) ? this.type.slice(prefix.length) : undefined;
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    const s = session();
    if (s) request.headers.set("Authorization", `Bearer ${s.token}`);
    return request;
  },
};

let client: ReturnType<typeof createClient<paths>> | undefined;
let base = "";

export function configure(cfg: Config) {
  base = cfg.apiUrl;
  client = createClient<paths>({ baseUrl: cfg.apiUrl });
  client.use(auth);
}

export function api() {
  if (!client) throw new Error("the API client is not configured");
  return client;
}

/** The API's base URL ("" for the portal's origin). */
export function apiBase(): string {
  return base;
}

/** data of an openapi-fetch answer, or an ApiError made of its problem. */
export function must<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data !== undefined && r.response.ok) return r.data;
  const e = (r.error ?? {}) as { type?: string; title?: string; detail?: string; message?: string; problems?: FieldProblem[] };
  throw new ApiError(r.response.status, e.detail ?? e.title ?? e.message ?? `${r.response.status}`, e.problems ?? [], e.type, e.title);
}

/** A route not yet in the document (a feature other work adds): undefined when it answers 404. */
export async function optionalGet<T>(path: string): Promise<T | undefined> {
  const s = session();
  const resp = await fetch(base + path, { headers: s ? { Authorization: `Bearer ${s.token}` } : {} });
  if (resp.status === 404) return undefined;
  if (!resp.ok) throw new ApiError(resp.status, `${resp.status}`);
  return (await resp.json()) as T;
}

/** The API's notion of now (GET /health), against which due moments are counted. */
let skew = 0;
export async function syncClock(): Promise<void> {
  const h = must(await api().GET("/health"));
  skew = Date.parse(h.time) - Date.now();
}
export function now(): Date {
  return new Date(Date.now() + skew);
}
