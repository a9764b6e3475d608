// Lists follow the API's cursor: a page of pageSize() records, then the next one on request (the
// "more" button) with the cursor the last page answered. The page size is the API's default (50);
// the local sign-in may set another, kept in memory like the session, to try paging on few records.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

const defaultPageSize = 50;
let size = defaultPageSize;

export function pageSize(): number {
  return size;
}

/** Sets the page size, 1 to 100 (the API reads more than 100 as 100); anything else is the default. */
export function setPageSize(n: number) {
  size = Number.isInteger(n) && n >= 1 && n <= 100 ? n : defaultPageSize;
}

export interface PageOf<T> {
  items: T[];
  cursor?: string | undefined;
}

export interface Paged<T> {
  items: T[];
  /** The first page has come (or failed). */
  ready: boolean;
  loading: boolean;
  error?: unknown;
  /** The next page exists: more() loads it. */
  hasMore: boolean;
  more: () => void;
  /** Reads the list again from its first page. */
  reload: () => void;
  /** Replaces one loaded item (a notification marked read). */
  update: (fn: (item: T) => T) => void;
}

/** A list read page by page with load(cursor, limit); deps change it back to its first page. */
export function usePaged<T>(load: (cursor: string | undefined, limit: number) => Promise<PageOf<T>>, deps: unknown[]): Paged<T> {
  const [state, setState] = useState<{ items: T[]; cursor?: string | undefined; ready: boolean; loading: boolean; error?: unknown }>({ items: [], ready: false, loading: true });
  const [n, setN] = useState(0);

  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const shown = useRef(0); // a reload reads again as many as were shown (up to the API's 100), not just the first page
  useEffect(() => {
    const g = ++generation.current;
    const limit = Math.min(100, Math.max(pageSize(), shown.current));
    shown.current = 0;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(undefined, limit).then(
      (p) => g === generation.current && setState({ items: p.items, cursor: p.cursor, ready: true, loading: false }),
      (error: unknown) => g === generation.current && setState({ items: [], ready: true, loading: false, error }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, n]);

  const stateRef = useRef(state);
  stateRef.current = state;
  const asked = useRef<string>(); // the cursor of the page on its way: a second press waits for it
  const more = useCallback(() => {
    const s = stateRef.current;
    if (!s.cursor || s.loading || asked.current === s.cursor) return;
    const g = generation.current;
    asked.current = s.cursor;
    setState({ ...s, loading: true });
    const done = () => void (asked.current = undefined);
    loadRef.current(s.cursor, pageSize()).then(
      (p) => g === generation.current && (done(), setState((x) => ({ ...x, items: [...x.items, ...p.items], cursor: p.cursor, loading: false, error: undefined }))),
      (error: unknown) => g === generation.current && (done(), setState((x) => ({ ...x, loading: false, error }))),
    );
  }, []);
  const reload = useCallback(() => {
    shown.current = stateRef.current.items.length;
    setN((x) => x + 1);
  }, []);
  const update = useCallback((fn: (item: T) => T) => setState((s) => ({ ...s, items: s.items.map(fn) })), []);
  return { items: state.items, ready: state.ready, loading: state.loading, error: state.error, hasMore: !!state.cursor, more, reload, update };
}
