// A document's way to S3: its SHA-256 computed here (Web Crypto), declared to the API (with its
// detached electronic signature, the .p7s, when one is attached beside it), PUT to the presigned
// URL with progress, confirmed (the API verifies the signature over the bytes it keeps). A failed
// step can be tried again from the start.
import { api, ApiError, must, type Presigned, type Schemas } from "./api";

export type ContentType = "application/pdf" | "image/png" | "image/jpeg" | "image/tiff";

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function contentType(f: File): ContentType {
  const t = f.type as ContentType;
  return (["application/pdf", "image/png", "image/jpeg", "image/tiff"] as const).includes(t) ? t : "application/pdf";
}

/** PUT body to a presigned request, reporting progress from 0 to 1. */
function put(p: Presigned, body: ArrayBuffer, progress: (f: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(p.method, p.url);
    for (const [k, v] of Object.entries(p.headers)) {
      if (k.toLowerCase() !== "content-length" && k.toLowerCase() !== "host") xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new ApiError(xhr.status, `S3 ${xhr.status}`)));
    xhr.onerror = () => reject(new ApiError(0, "network"));
    xhr.send(body);
  });
}

export interface Uploaded {
  key: string;
  sha256: string;
  versionId?: string;
  signed?: Schemas["EDSSignature"];
}

/** Bytes as base64, as the declaration's signature takes a .p7s. */
export function base64(data: ArrayBuffer): string {
  const bytes = new Uint8Array(data);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Uploads file as document into a draft (scope "draft") or a case (scope "case"), with its detached signature if given. */
export async function upload(scope: "draft" | "case", id: string, document: string, file: File, progress: (f: number) => void, signature?: File): Promise<Uploaded> {
  const bytes = await file.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  const body: Schemas["UploadRequest"] = { document, contentType: contentType(file), size: bytes.byteLength, sha256 };
  if (signature) body.signature = base64(await signature.arrayBuffer());
  const declared = must(
    scope === "draft"
      ? await api().POST("/drafts/{draftId}/uploads", { params: { path: { draftId: id } }, body })
      : await api().POST("/cases/{caseId}/uploads", { params: { path: { caseId: id } }, body }),
  );
  if (declared.put) await put(declared.put, bytes, progress);
  progress(1);
  const confirmed = must(await api().POST("/uploads/{uploadId}/confirm", { params: { path: { uploadId: declared.upload.id } } }));
  const out: Uploaded = { key: confirmed.upload.key ?? "", sha256 };
  if (confirmed.upload.versionId) out.versionId = confirmed.upload.versionId;
  if (confirmed.upload.signed) out.signed = confirmed.upload.signed;
  return out;
}
