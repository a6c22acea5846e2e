import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditLog } from "@/components/audit/audit-log";
import { ExportLinks } from "@/components/audit/export-links";
import { IntegrityPanel } from "@/components/audit/integrity-panel";
import { NotAllowed } from "@/components/not-allowed";
import { Card } from "@/components/ui/card";
import {
  AUDIT_FILTER_KEYS,
  type AuditFilterKey,
  feedSearch,
  filtersFrom,
  withoutBlankFilters,
} from "@/lib/activity-client/feed-query";
import { exactTime, isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { activity } from "@/lib/activity-kit";
import { isAdmin, requireViewer } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { listAssignees } from "@/lib/demo/tasks";
import { loadFirstPage, loadRecordLabel } from "@/lib/feed-page";
import { verifyChainAction } from "../actions";

export const metadata: Metadata = { title: "Audit log · activity-kit" };

const FILTER_ERROR_ID = "audit-filter-error";

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer();
  if (!isAdmin(viewer)) return <NotAllowed what="The audit log" />;
  const params = await searchParams;
  // A plain GET form (no script) sends its blank fields too: the URL keeps only the filters set.
  const clean = withoutBlankFilters(params, AUDIT_FILTER_KEYS);
  if (clean !== null) redirect(clean ? `/admin/audit?${clean}` : "/admin/audit");
  const filters = filtersFrom(params, AUDIT_FILTER_KEYS);
  const search = feedSearch(filters);
  const db = await getDb();
  const [assignees, loaded, cookieStore, verification, recordLabel] = await Promise.all([
    listAssignees(db, viewer.workspace.id),
    loadFirstPage(viewer.workspace.id, search, { audit: true }),
    cookies(),
    activity.lastVerification(viewer.workspace.id),
    loadRecordLabel(viewer.workspace.id, filters.record),
  ]);
  const zone = cookieStore.get(TIME_ZONE_COOKIE)?.value;
  const timeZone = isTimeZone(zone) ? zone : "UTC";
  const members = assignees.map((a) => ({ id: String(a.id), name: a.name }));
  if (filters.actor && !members.some((m) => m.id === filters.actor)) {
    members.push({ id: filters.actor, name: `User ${filters.actor}` });
  }
  const parameter = loaded.error?.parameter;
  const invalid =
    parameter && (AUDIT_FILTER_KEYS as readonly string[]).includes(parameter)
      ? { parameter: parameter as AuditFilterKey, describedBy: FILTER_ERROR_ID }
      : undefined;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Audit log</h1>
          <p className="mt-1 text-sm text-muted-foreground">
            Every change in {viewer.workspace.name}, newest first, with who made it and why.
          </p>
        </div>
        <ExportLinks filters={filters} />
      </div>
      <IntegrityPanel
        last={
          verification && {
            ok: verification.ok,
            checked: verification.checked,
            headSeq: verification.headSeq,
            verifiedAt: verification.verifiedAt.toISOString(),
            problem: verification.problem,
          }
        }
        lastWhen={verification && exactTime(verification.verifiedAt.toISOString(), timeZone, { zone: true })}
        verifyAction={verifyChainAction}
      />
      <Card className="p-4">
        <AuditFilters
          key={search.toString()}
          filters={filters}
          members={members}
          actions={activity.actions}
          types={activity.tables.map((t) => t.type)}
          invalid={invalid}
          auditPath="/admin/audit"
          recordLabel={recordLabel}
        />
      </Card>
      {loaded.page ? (
        <AuditLog
          key={search.toString()}
          filters={filters}
          firstPage={loaded.page}
          now={Date.now()}
          timeZone={timeZone}
          auditPath="/admin/audit"
        />
      ) : (
        <Card className="px-6 py-10 text-center" role="alert">
          <h2 className="font-semibold">That filter doesn’t work</h2>
          <p id={FILTER_ERROR_ID} className="mt-1 text-sm text-muted-foreground">
            {loaded.error.message}
          </p>
        </Card>
      )}
    </div>
  );
}
