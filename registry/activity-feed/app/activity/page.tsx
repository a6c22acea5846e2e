import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { ActivityFeed } from "@/components/activity/activity-feed";
import { ActivityQueryProvider } from "@/components/activity/activity-query-provider";
import { FeedNavigation, PendingFade } from "@/components/activity/feed-navigation";
import { SkeletonLines } from "@/components/activity/feed-skeleton";
import { FilterError } from "@/components/activity/feed-states";
import { FiltersBar } from "@/components/activity/filters-bar";
import { Card } from "@/components/ui/card";
import { ActivityError } from "@/lib/activity";
import { requestTime } from "@/lib/activity/next";
import {
  FILTER_KEYS,
  type FilterKey,
  feedSearch,
  filtersFrom,
  withoutBlankFilters,
} from "@/lib/activity-client/feed-query";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { activity } from "@/lib/activity-kit";

/*
 * The activity feed page (installed as app/activity/page.tsx by the `activity-feed` item). Edit the
 * paths, the texts and the layout to fit your app; the data comes from `lib/activity-kit.ts`.
 */

const FILTER_ERROR_ID = "feed-filter-error";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default function ActivityPage({ searchParams }: { searchParams: SearchParams }) {
  return (
    <main className="mx-auto w-full max-w-3xl space-y-6 px-4 py-8">
      <div>
        <h1 className="text-2xl font-semibold">Activity</h1>
        <p className="mt-1 text-sm text-muted-foreground">Everything that happens here, newest first, as it happens.</p>
      </div>
      {/* The feed reads the request (the viewer, the filters): it renders per request, inside Suspense. */}
      <Suspense fallback={<SkeletonLines count={5} />}>
        <Feed searchParams={searchParams} />
      </Suspense>
    </main>
  );
}

async function Feed({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await activity.viewer();
  if (!viewer) return <p className="text-sm text-muted-foreground">Sign in to see the activity.</p>;
  const params = await searchParams;
  // A plain GET form (no script) sends its blank fields too: the URL keeps only the filters set.
  const clean = withoutBlankFilters(params, FILTER_KEYS);
  if (clean !== null) redirect(clean ? `/activity?${clean}` : "/activity");
  const filters = filtersFrom(params);
  const search = feedSearch(filters);
  const zone = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  const { page, refused, now } = await loadPage(viewer.workspaceId ?? "", search);
  const recordLabel = filters.record ? await activity.recordLabel(filters.record, viewer) : null;
  const parameter = refused?.parameter;
  const invalid =
    parameter && (FILTER_KEYS as readonly string[]).includes(parameter)
      ? { parameter: parameter as FilterKey, describedBy: FILTER_ERROR_ID }
      : undefined;
  // The people of this page, to pick from (the URL's actor stays picked).
  const members = new Map<string, string>();
  for (const item of page?.items ?? []) if (item.actor.id) members.set(item.actor.id, item.actor.name);
  if (filters.actor && !members.has(filters.actor)) members.set(filters.actor, `User ${filters.actor}`);

  return (
    <ActivityQueryProvider>
      <FeedNavigation>
        <Card className="p-4">
          <FiltersBar
            key={search.toString()}
            filters={filters}
            members={[...members].map(([id, name]) => ({ id, name }))}
            actions={activity.actions}
            invalid={invalid}
            recordLabel={recordLabel}
          />
        </Card>
        <PendingFade>
          {page ? (
            <ActivityFeed
              key={search.toString()}
              filters={filters}
              firstPage={page}
              now={now}
              timeZone={isTimeZone(zone) ? zone : "UTC"}
              historyPath={viewer.canAudit ? "/audit" : undefined}
            />
          ) : (
            <FilterError id={FILTER_ERROR_ID} message={refused?.message ?? "That filter does not work."} />
          )}
        </PendingFade>
      </FeedNavigation>
    </ActivityQueryProvider>
  );
}

/** The first page, or the kit's refusal of the filters (shown, not thrown); and the time it was read at. */
async function loadPage(workspaceId: string | number, search: URLSearchParams) {
  const now = await requestTime();
  try {
    return { page: await activity.feed(workspaceId, search), refused: undefined, now };
  } catch (error) {
    if (!(error instanceof ActivityError)) throw error;
    return { page: undefined, refused: error, now };
  }
}
