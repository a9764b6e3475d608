// Hash routes (#/cases/A-1): the same index.html answers every page, on the local stack under
// /app/ and on CloudFront at the root.
import { useEffect, useState } from "preact/hooks";

export function path(): string[] {
  return location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
}

export function usePath(): string[] {
  const [p, setP] = useState(path());
  useEffect(() => {
    const on = () => setP(path());
    addEventListener("hashchange", on);
    on(); // a change between the first render and this effect
    return () => removeEventListener("hashchange", on);
  }, []);
  return p;
}

export function href(...segments: string[]): string {
  return "#/" + segments.map(encodeURIComponent).join("/");
}

export function go(...segments: string[]) {
  location.hash = href(...segments);
}
