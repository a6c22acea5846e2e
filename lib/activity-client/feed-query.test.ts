import { InfiniteQueryObserver, infiniteQueryOptions, QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { ActivityItem } from "@/lib/activity";
import {
  AUDIT_FILTER_KEYS,
  datePresets,
  type FeedData,
  feedHref,
  feedQueryKey,
  feedSearch,
  filtersFrom,
  flattenPages,
  type FeedPage,
  insertLiveItem,
  refetchFirstPage,
  withoutBlankFilters,
} from "./feed-query";

function item(id: string, occurredAt: string, seq: number | null = null): ActivityItem {
  return {
    id,
    seq,
    occurredAt,
    actor: { id: "1", name: "Alice Adams", type: "user" },
    action: "insert",
    subject: `task ${id}`,
    record: { type: "task", id, href: `/tasks/${id}`, exists: true, label: null },
    related: [],
    metadata: {},
    changes: [],
    readable: [],
    unattributed: false,
  };
}

const data = (...pages: ActivityItem[][]): FeedData<string | null> => ({
  pages: pages.map((items, i) => ({ items, nextCursor: i < pages.length - 1 ? `c${i}` : null, head: 10 })),
  pageParams: pages.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
});

describe("filters in the URL", () => {
  it("keeps the three filters, first value, trimmed, blanks dropped", () => {
    expect(filtersFrom({ action: ["update", "delete"], record: " task:4 ", actor: "", limit: "5" })).toEqual({
      action: "update",
      record: "task:4",
    });
  });

  it("writes them in a stable order", () => {
    expect(feedHref({ action: "task.cancelled", actor: "2", record: "task:42" })).toBe(
      "/activity?record=task%3A42&actor=2&action=task.cancelled",
    );
    expect(feedHref({})).toBe("/activity");
  });

  it("link to the feed page where the host mounted it", () => {
    expect(feedHref({ actor: "7" }, "/team/log")).toBe("/team/log?actor=7");
    expect(feedHref({}, "/team/log")).toBe("/team/log");
  });
});

describe("the audit log's filters", () => {
  it("add the record type and the date range, in the API's order, and a cache of their own", () => {
    const search = { to: "2026-11-30", type: "task", from: "2026-11-01", actor: "2", cursor: "x" };
    expect(filtersFrom(search)).toEqual({ actor: "2" });
    const filters = filtersFrom(search, AUDIT_FILTER_KEYS);
    expect(feedSearch(filters).toString()).toBe("type=task&actor=2&from=2026-11-01&to=2026-11-30");
    expect(feedQueryKey(filters, "/api/audit")).not.toEqual(feedQueryKey(filters));
  });
});

describe("clean filter URLs", () => {
  it("drop the blank filters a plain form sends and keep everything else in its order", () => {
    expect(withoutBlankFilters({ actor: "", action: "update", record: "  " })).toBe("action=update");
    expect(withoutBlankFilters({ actor: "", action: "" })).toBe("");
    const audit = { type: "", at: "x", from: "2026-11-01", to: "", order: "newest" };
    expect(withoutBlankFilters(audit, AUDIT_FILTER_KEYS)).toBe("at=x&from=2026-11-01&order=newest");
    // Only the page's own filters count as blank: another page's parameter is left alone.
    expect(withoutBlankFilters({ from: "", action: "update" })).toBeNull();
  });

  it("are left alone when no filter is blank", () => {
    expect(withoutBlankFilters({})).toBeNull();
    expect(withoutBlankFilters({ action: "update", record: ["task:1", "task:2"] })).toBeNull();
  });
});

describe("date presets", () => {
  it("end today in UTC and reach back 1, 7 and 30 whole days", () => {
    // Late on the 2nd in UTC (already the 3rd east of it): the day the dates are read in.
    expect(datePresets(new Date("2026-12-02T23:30:00Z"))).toEqual([
      { label: "Today", from: "2026-12-02", to: "2026-12-02" },
      { label: "Last 7 days", from: "2026-11-26", to: "2026-12-02" },
      { label: "Last 30 days", from: "2026-11-03", to: "2026-12-02" },
    ]);
    // Across a month and a year.
    expect(datePresets(new Date("2026-01-03T00:00:00Z"))[2]).toEqual({
      label: "Last 30 days",
      from: "2025-12-05",
      to: "2026-01-03",
    });
  });
});

describe("live events in the cache", () => {
  it("go on top of the first page, once, and advance its head", () => {
    const before = data([item("5", "2026-11-23T10:00:00Z")], [item("4", "2026-11-22T10:00:00Z")]);
    const after = insertLiveItem(before, item("6", "2026-11-23T11:00:00Z", 12))!;
    expect(after.pages[0]!.items.map((i) => i.id)).toEqual(["6", "5"]);
    expect(after.pages[0]!.head).toBe(12);
    expect(after.pages[1]).toBe(before.pages[1]);
    expect(insertLiveItem(after, item("6", "2026-11-23T11:00:00Z", 12))).toBe(after);
  });

  it("ignore an event the cache already has on any page, but still advance the head", () => {
    const before = data([item("5", "2026-11-23T10:00:00Z")], [item("4", "2026-11-22T10:00:00Z")]);
    const after = insertLiveItem(before, item("4", "2026-11-22T10:00:00Z", 11))!;
    expect(flattenPages(after).map((i) => i.id)).toEqual(["5", "4"]);
    expect(after.pages[0]!.head).toBe(11);
  });

  it("put a late commit on top, as the feed does: its order is the order events became visible", () => {
    const before = data([item("9", "2026-11-23T10:00:05Z", 12), item("5", "2026-11-23T10:00:00Z", 11)]);
    const after = insertLiveItem(before, item("8", "2026-11-23T10:00:02Z", 13))!;
    expect(after.pages[0]!.items.map((i) => i.id)).toEqual(["8", "9", "5"]);
  });

  it("unlink the older lines of a record the event says is gone", () => {
    const before = data([item("5", "2026-11-23T10:00:00Z")], [item("4", "2026-11-22T10:00:00Z")]);
    const deleted = { ...item("6", "2026-11-23T11:00:00Z", 12), action: "delete" };
    deleted.record = { type: "task", id: "4", href: null, exists: false, label: "Gone" };
    const after = insertLiveItem(before, deleted)!;
    expect(flattenPages(after).map((i) => [i.id, i.record?.exists, i.record?.href])).toEqual([
      ["6", false, null],
      ["5", true, "/tasks/5"],
      ["4", false, null],
    ]);
    expect(after.pages[0]!.items[1]).toBe(before.pages[0]!.items[0]);
  });

  it("show an event repeated by a later page once", () => {
    const repeated = item("7", "2026-11-23T10:00:00Z");
    expect(flattenPages(data([repeated], [repeated, item("3", "2026-11-20T10:00:00Z")])).map((i) => i.id)).toEqual([
      "7",
      "3",
    ]);
  });
});

describe("after the stream's reset", () => {
  it("the cache refetches its first page, with the new head, and drops the older pages", async () => {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    let head = 10;
    const fetched: (string | null)[] = [];
    const options = infiniteQueryOptions({
      queryKey: ["activity", "/api/activity", ""],
      queryFn: async ({ pageParam }): Promise<FeedPage> => {
        fetched.push(pageParam);
        return {
          items: [item(`${head}-${pageParam ?? "first"}`, "2026-11-23T10:00:00Z", head)],
          nextCursor: "c",
          head,
        };
      },
      initialPageParam: null as string | null,
      getNextPageParam: (last: FeedPage) => last.nextCursor,
    });
    // As the feed's hook holds it: an observer, the first page, then the next one on scroll.
    const observer = new InfiniteQueryObserver(queryClient, options);
    const unsubscribe = observer.subscribe(() => {});
    await observer.refetch();
    await observer.fetchNextPage();
    expect(queryClient.getQueryData(options.queryKey)?.pages).toHaveLength(2);

    head = 900;
    fetched.length = 0;
    await refetchFirstPage(queryClient, options.queryKey);
    const after = queryClient.getQueryData(options.queryKey)!;
    expect(fetched).toEqual([null]);
    expect(after.pages.map((p) => [p.head, p.items.map((i) => i.id)])).toEqual([[900, ["900-first"]]]);
    expect(after.pageParams).toEqual([null]);
    unsubscribe();
  });
});
