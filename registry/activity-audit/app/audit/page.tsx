import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { ActivityQueryProvider } from "@/components/activity/activity-query-provider";
import { SkeletonLines } from "@/components/activity/feed-skeleton";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditLog } from "@/components/audit/audit-log";
import { ExportLinks } from "@/components/audit/export-links";
import { Card } from "@/components/ui/card";
import { ActivityError } from "@/lib/activity";
import { requestTime } from "@/lib/activity/next";
import {
  AUDIT_FILTER_KEYS,
  type AuditFilterKey,
  feedSearch,
  filtersFrom,
  withoutBlankFilters,
} from "@/lib/activity-client/feed-query";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { activity } from "@/lib/activity-kit";

/*
 * The audit log page (installed as app/audit/page.tsx by the `activity-audit` item): every event with its
 * request, filtered in the URL, live, and exported. Only viewers with `canAudit` (see lib/activity-kit.ts).
 */

const FILTER_ERROR_ID = "audit-filter-error";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  return (
    <main className="mx-auto w-full max-w-6xl space-y-6 px-4 py-8">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      {/* The log reads the request (the viewer, the filters): it renders per request, inside Suspense. */}
      <Suspense fallback={<SkeletonLines count={5} />}>
        <Audit searchParams={searchParams} />
      </Suspense>
    </main>
  );
}

async function Audit({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await activity.viewer();
  if (!viewer?.canAudit) return <p className="text-sm text-muted-foreground">The audit log is not open to you.</p>;
  const params = await searchParams;
  // A plain GET form (no script) sends its blank fields too: the URL keeps only the filters set.
  const clean = withoutBlankFilters(params, AUDIT_FILTER_KEYS);
  if (clean !== null) redirect(clean ? `/audit?${clean}` : "/audit");
  const filters = filtersFrom(params, AUDIT_FILTER_KEYS);
  const search = feedSearch(filters);
  const zone = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  const { page, refused, now } = await loadPage(viewer.workspaceId ?? "", search);
  const recordLabel = filters.record ? await activity.recordLabel(filters.record, viewer) : null;
  const parameter = refused?.parameter;
  const invalid =
    parameter && (AUDIT_FILTER_KEYS as readonly string[]).includes(parameter)
      ? { parameter: parameter as AuditFilterKey, describedBy: FILTER_ERROR_ID }
      : undefined;
  const members = new Map<string, string>();
  for (const item of page?.items ?? []) if (item.actor.id) members.set(item.actor.id, item.actor.name);
  if (filters.actor && !members.has(filters.actor)) members.set(filters.actor, `User ${filters.actor}`);

  return (
    <ActivityQueryProvider>
      <div className="space-y-6">
        <ExportLinks filters={filters} />
        <Card className="p-4">
          <AuditFilters
            key={search.toString()}
            filters={filters}
            members={[...members].map(([id, name]) => ({ id, name }))}
            actions={activity.actions}
            types={activity.tables.map((t) => t.type)}
            invalid={invalid}
            recordLabel={recordLabel}
          />
        </Card>
        {page ? (
          <AuditLog
            key={search.toString()}
            filters={filters}
            firstPage={page}
            now={now}
            timeZone={isTimeZone(zone) ? zone : "UTC"}
          />
        ) : (
          <Card className="px-6 py-10 text-center" role="alert">
            <h2 className="font-semibold">That filter doesn’t work</h2>
            <p id={FILTER_ERROR_ID} className="mt-1 text-sm text-muted-foreground">
              {refused?.message}
            </p>
          </Card>
        )}
      </div>
    </ActivityQueryProvider>
  );
}

/** The first page, or the kit's refusal of the filters (shown, not thrown); and the time it was read at. */
async function loadPage(workspaceId: string | number, search: URLSearchParams) {
  const now = await requestTime();
  try {
    return { page: await activity.feed(workspaceId, search, { audit: true }), refused: undefined, now };
  } catch (error) {
    if (!(error instanceof ActivityError)) throw error;
    return { page: undefined, refused: error, now };
  }
}
