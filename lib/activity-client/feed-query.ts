import { type InfiniteData, infiniteQueryOptions, type QueryClient, type QueryKey } from "@tanstack/react-query";
import type { ActivityItem, FeedPage } from "@/lib/activity";

/** One page of `GET /api/activity`: the kit's own type (a type-only import, erased from the client bundle). */
export type { FeedPage };

export type FeedData<PageParam = unknown> = InfiniteData<FeedPage, PageParam>;

/** The feed's filters as they stand in the page's URL (and in the API's query string). */
export const FILTER_KEYS = ["record", "actor", "action"] as const;
/** The audit log's filters: the feed's, plus the record type and a date range (in the API's order). */
export const AUDIT_FILTER_KEYS = ["record", "type", "actor", "action", "from", "to"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];
/**
 * The filters as text, as they stand in the URL and go into the API's query string; the kit's
 * `FeedFilters` are what the server parses them into.
 */
export type FeedSearchFilters = Partial<Record<AuditFilterKey, string>>;

/**
 * The API a feed pages through: the members' feed (`/api/activity` by default), or the admins' audit log
 * (`/api/audit`: same JSON, more context).
 */
export type FeedEndpoint = string;

/** The filters of a page's `searchParams` (the first value of each; blanks and other keys are dropped). */
export function filtersFrom(
  search: Record<string, string | string[] | undefined> | URLSearchParams,
  keys: readonly AuditFilterKey[] = FILTER_KEYS,
): FeedSearchFilters {
  const filters: FeedSearchFilters = {};
  for (const key of keys) {
    const raw = search instanceof URLSearchParams ? search.get(key) : search[key];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value) filters[key] = value;
  }
  return filters;
}

export function hasFilters(filters: FeedSearchFilters): boolean {
  return AUDIT_FILTER_KEYS.some((key) => filters[key]);
}

/** The query string of the filters, in a stable order (`record=task%3A42&action=update`). */
export function feedSearch(filters: FeedSearchFilters, extra: Record<string, string> = {}): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filters[key];
    if (value) search.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) search.set(key, value);
  return search;
}

/** The feed page's own URL for these filters (the page at `base`, `/activity` by default). */
export function feedHref(filters: FeedSearchFilters, base = "/activity"): string {
  const search = feedSearch(filters).toString();
  return search ? `${base}?${search}` : base;
}

/** A 4xx/5xx of the feed API, with the parameter at fault when the server names one. */
export class FeedRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly parameter?: string,
  ) {
    super(message);
    this.name = "FeedRequestError";
  }
}

export async function fetchFeedPage(
  filters: FeedSearchFilters,
  cursor: string | null,
  signal?: AbortSignal,
  endpoint: FeedEndpoint = "/api/activity",
) {
  const search = feedSearch(filters, cursor ? { cursor } : {});
  const response = await fetch(`${endpoint}?${search}`, { signal, headers: { Accept: "application/json" } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as {
      error?: { message?: string; parameter?: string };
    } | null;
    throw new FeedRequestError(
      body?.error?.message ?? `The feed could not be loaded (HTTP ${response.status}).`,
      response.status,
      body?.error?.parameter,
    );
  }
  return (await response.json()) as FeedPage;
}

export function feedQueryKey(filters: FeedSearchFilters, endpoint: FeedEndpoint = "/api/activity") {
  return ["activity", endpoint, feedSearch(filters).toString()] as const;
}

/**
 * The feed as an infinite query. The server renders the first page and hands it over as `initialData`, so
 * the client starts with what the HTML shows and fetches only the pages after it.
 */
export function feedQueryOptions(
  filters: FeedSearchFilters,
  firstPage: FeedPage,
  endpoint: FeedEndpoint = "/api/activity",
) {
  return infiniteQueryOptions({
    queryKey: feedQueryKey(filters, endpoint),
    queryFn: ({ pageParam, signal }) => fetchFeedPage(filters, pageParam, signal, endpoint),
    initialPageParam: null as string | null,
    getNextPageParam: (last: FeedPage) => last.nextCursor,
    initialData: { pages: [firstPage], pageParams: [null] },
    // The live stream keeps the cache current; a refetch would reload every page loaded so far.
    staleTime: 60_000,
  });
}

/** Whether the cache already holds the event (it may: the first page and the stream overlap). */
export function containsItem<P>(data: FeedData<P> | undefined, id: string): boolean {
  return Boolean(data?.pages.some((page) => page.items.some((item) => item.id === id)));
}

/** The feed's order: the order events became visible (`seq`), the newest first; by time without one. */
function newerFirst(a: ActivityItem, b: ActivityItem): number {
  if (a.seq !== null && b.seq !== null && a.seq !== b.seq) return b.seq - a.seq;
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? 1 : -1;
  // Ids are bigints as text: a longer one is larger.
  if (a.id.length !== b.id.length) return b.id.length - a.id.length;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const recordKeyOf = (item: ActivityItem) => (item.record ? `${item.record.type}:${item.record.id}` : null);

/** The lines of a record that is gone no longer link to it. */
function markDeleted(items: ActivityItem[], key: string): ActivityItem[] {
  if (!items.some((i) => i.record?.exists && recordKeyOf(i) === key)) return items;
  return items.map((i) =>
    i.record?.exists && recordKeyOf(i) === key ? { ...i, record: { ...i.record, exists: false, href: null } } : i,
  );
}

/**
 * The cache with a live event added to the top of the first page, at most once, kept in the feed's order
 * (newest first). The first page's `head` advances to the event's sequence number, so a stream reopened
 * later resumes after it. When the event says its record is gone, the older lines of that record stop
 * linking to it.
 */
export function insertLiveItem<P>(data: FeedData<P> | undefined, item: ActivityItem): FeedData<P> | undefined {
  if (!data?.pages[0]) return data;
  const known = containsItem(data, item.id);
  const gone = item.record && !item.record.exists ? recordKeyOf(item) : null;
  let pages = data.pages;
  if (gone) {
    pages = pages.map((page) => {
      const items = markDeleted(page.items, gone);
      return items === page.items ? page : { ...page, items };
    });
  }
  const top = pages[0]!;
  const head = Math.max(top.head, item.seq ?? 0);
  if (!known || head !== top.head) {
    pages = [{ ...top, head, items: known ? top.items : [item, ...top.items].sort(newerFirst) }, ...pages.slice(1)];
  }
  return pages.every((page, i) => page === data.pages[i]) ? data : { ...data, pages };
}

/**
 * The cache cut to its first page, for a refetch after the stream's `reset`: the newest page comes again
 * from the server (with its head), the older ones are loaded again as the reader scrolls.
 */
export function firstPageOnly<P>(data: FeedData<P> | undefined): FeedData<P> | undefined {
  if (!data || data.pages.length <= 1) return data;
  return { pages: data.pages.slice(0, 1), pageParams: data.pageParams.slice(0, 1) };
}

/** After a `reset` of the stream: the feed's first page again from the server, the older pages dropped. */
export async function refetchFirstPage(queryClient: QueryClient, queryKey: QueryKey): Promise<void> {
  queryClient.setQueryData<FeedData>(queryKey, firstPageOnly);
  await queryClient.refetchQueries({ queryKey, exact: true }, { throwOnError: true });
}

/** Every loaded event once, in page order (a live event can also turn up again in a later page). */
export function flattenPages<P>(data: FeedData<P>): ActivityItem[] {
  const seen = new Set<string>();
  const items: ActivityItem[] = [];
  for (const page of data.pages) {
    for (const item of page.items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      items.push(item);
    }
  }
  return items;
}

/**
 * The page's query string without its blank filters (`?actor=&action=update` → `action=update`), other
 * parameters kept in their order; null when no filter is blank. A plain GET form sends every field: the page
 * redirects to the clean URL, so a shared link says only what is filtered.
 */
export function withoutBlankFilters(
  search: Record<string, string | string[] | undefined>,
  keys: readonly AuditFilterKey[] = FILTER_KEYS,
): string | null {
  const clean = new URLSearchParams();
  let blank = false;
  for (const [key, raw] of Object.entries(search)) {
    for (const value of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
      if ((keys as readonly string[]).includes(key) && value.trim() === "") blank = true;
      else clean.append(key, value);
    }
  }
  return blank ? clean.toString() : null;
}

/** A date range the audit log offers in one click, as its `from` and `to` (whole days, UTC, like the fields). */
export interface DatePreset {
  label: string;
  from: string;
  to: string;
}

/**
 * Today, the last 7 days and the last 30 days, each ending today (the day of `now` in UTC, the zone the
 * `from` and `to` dates are read in, so the range always holds the present moment).
 */
export function datePresets(now: Date): DatePreset[] {
  const day = (daysBack: number) => new Date(now.getTime() - daysBack * 86_400_000).toISOString().slice(0, 10);
  const today = day(0);
  return [
    { label: "Today", from: today, to: today },
    { label: "Last 7 days", from: day(6), to: today },
    { label: "Last 30 days", from: day(29), to: today },
  ];
}
