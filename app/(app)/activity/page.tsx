import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ActivityFeed } from "@/components/activity/activity-feed";
import { FeedNavigation, PendingFade } from "@/components/activity/feed-navigation";
import { FilterError } from "@/components/activity/feed-states";
import { FiltersBar } from "@/components/activity/filters-bar";
import { Card } from "@/components/ui/card";
import {
  FILTER_KEYS,
  type FilterKey,
  feedSearch,
  filtersFrom,
  withoutBlankFilters,
} from "@/lib/activity-client/feed-query";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { activity } from "@/lib/activity-kit";
import { isAdmin, requireViewer } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { listAssignees } from "@/lib/demo/tasks";
import { loadFirstPage, loadRecordLabel } from "@/lib/feed-page";

export const metadata: Metadata = { title: "Activity · activity-kit" };

const FILTER_ERROR_ID = "feed-filter-error";

export default async function ActivityPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer();
  const params = await searchParams;
  // A plain GET form (no script) sends its blank fields too: the URL keeps only the filters set.
  const clean = withoutBlankFilters(params, FILTER_KEYS);
  if (clean !== null) redirect(clean ? `/activity?${clean}` : "/activity");
  const filters = filtersFrom(params);
  const search = feedSearch(filters);
  const db = await getDb();
  const [assignees, loaded, cookieStore, recordLabel] = await Promise.all([
    listAssignees(db, viewer.workspace.id),
    loadFirstPage(viewer.workspace.id, search),
    cookies(),
    loadRecordLabel(viewer.workspace.id, filters.record),
  ]);
  const zone = cookieStore.get(TIME_ZONE_COOKIE)?.value;

  const members = assignees.map((a) => ({ id: String(a.id), name: a.name }));
  // Filtering by someone who is no longer a member (from a line's name): keep them in the picker.
  if (filters.actor && !members.some((m) => m.id === filters.actor)) {
    const name = loaded.page?.items.find((item) => item.actor.id === filters.actor)?.actor.name;
    members.push({ id: filters.actor, name: name ?? `User ${filters.actor}` });
  }
  const parameter = loaded.error?.parameter;
  const invalid =
    parameter && (FILTER_KEYS as readonly string[]).includes(parameter)
      ? { parameter: parameter as FilterKey, describedBy: FILTER_ERROR_ID }
      : undefined;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Activity</h1>
        <p className="mt-1 text-sm text-muted-foreground">
          Everything that happens in {viewer.workspace.name}, newest first, as it happens.
        </p>
      </div>
      <FeedNavigation>
        <Card className="p-4">
          <FiltersBar
            key={search.toString()}
            filters={filters}
            members={members}
            actions={activity.actions}
            invalid={invalid}
            recordLabel={recordLabel}
          />
        </Card>
        <PendingFade>
          {loaded.page ? (
            <ActivityFeed
              key={search.toString()}
              filters={filters}
              firstPage={loaded.page}
              now={Date.now()}
              timeZone={isTimeZone(zone) ? zone : "UTC"}
              historyPath={isAdmin(viewer) ? "/admin/audit" : undefined}
              empty={{
                text: "Create or edit a task and it shows up here, as it happens.",
                action: { href: "/tasks", label: "Go to tasks" },
              }}
            />
          ) : (
            <FilterError id={FILTER_ERROR_ID} message={loaded.error.message} />
          )}
        </PendingFade>
      </FeedNavigation>
    </div>
  );
}
