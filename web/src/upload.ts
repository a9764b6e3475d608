// A document's way to S3: its SHA-256 computed here (Web Crypto), declared to the API, PUT to the
// presigned URL with progress, confirmed. A failed step can be tried again from the start.
import { api, ApiError, must, type Presigned } from "./api";

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
}

/** Uploads file as document into a draft (scope "draft") or a case (scope "case"). */
export async function upload(scope: "draft" | "case", id: string, document: string, file: File, progress: (f: number) => void): Promise<Uploaded> {
  const bytes = await file.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  const body = { document, contentType: contentType(file), size: bytes.byteLength, sha256 };
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
  return out;
}
