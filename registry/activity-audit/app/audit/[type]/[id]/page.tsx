import { cookies } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ClockProvider } from "@/components/activity/clock";
import { SkeletonLines } from "@/components/activity/feed-skeleton";
import { AuditTime } from "@/components/audit/audit-time";
import { ChangeDiff } from "@/components/audit/change-diff";
import { RecordStateView } from "@/components/audit/record-state";
import { RevertForm } from "@/components/audit/revert-form";
import { TimeTravelForm } from "@/components/audit/time-travel-form";
import { Card } from "@/components/ui/card";
import type { ActivityItem, ActivityViewer, RecordRef } from "@/lib/activity";
import { requestTime } from "@/lib/activity/next";
import { actionLabel, reasonOf } from "@/lib/activity-client/describe";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { activity } from "@/lib/activity-kit";
import { revertEventAction } from "../../actions";

/*
 * One record's whole history (installed as app/audit/[type]/[id]/page.tsx by the `activity-audit` item):
 * every event with its field diffs and request, the state at any instant (`?at=`) beside the present or a
 * second instant (`?compare=`), and "Revert this change".
 */

type Params = Promise<{ type: string; id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** `?at=`: an instant; a value without a zone (the form without script) is read as UTC. */
function parseAt(value: string | undefined): Date | null | "invalid" {
  if (!value) return null;
  const date = new Date(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? "invalid" : date;
}

export default function RecordHistoryPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  return (
    <main className="mx-auto w-full max-w-4xl space-y-6 px-4 py-8">
      <Link href="/audit" className="text-sm text-muted-foreground hover:underline">
        ← Audit log
      </Link>
      <Suspense fallback={<SkeletonLines count={4} />}>
        <History params={params} searchParams={searchParams} />
      </Suspense>
    </main>
  );
}

async function History({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const viewer = await activity.viewer();
  if (!viewer?.canAudit) return <p className="text-sm text-muted-foreground">The audit log is not open to you.</p>;
  const { type, id } = await params;
  if (!activity.tables.some((t) => t.type === type)) notFound();
  const record = { type, id: decodeURIComponent(id) };
  const query = await searchParams;
  const at = parseAt(first(query.at));
  const compare = at instanceof Date ? parseAt(first(query.compare)) : null;
  const zone = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  const { items, states, now } = await loadHistory(viewer, record, at, compare);
  const own = [...items].reverse().find((i) => i.record?.type === record.type && i.record.id === record.id);

  return (
    <ClockProvider now={now} timeZone={isTimeZone(zone) ? zone : "UTC"}>
      <div className="space-y-6">
        <div>
          <h1 className="text-2xl font-semibold">History of {own?.subject ?? `${record.type} ${record.id}`}</h1>
          <p className="mt-1 font-mono text-sm text-muted-foreground">
            {record.type}:{record.id}
            {own?.record && !own.record.exists ? " · deleted: its history remains" : null}
          </p>
        </div>
        <Card aria-label="Time travel" className="space-y-4 p-5">
          <TimeTravelForm
            at={at instanceof Date ? at.toISOString() : null}
            compare={compare instanceof Date ? compare.toISOString() : null}
          />
          {at === "invalid" || compare === "invalid" ? (
            <p role="alert" className="text-sm text-destructive">
              That is not a time. Pick a date and time.
            </p>
          ) : states ? (
            <RecordStateView
              left={states[0]!}
              right={{ ...states[1]!, at: compare instanceof Date ? compare : null }}
            />
          ) : null}
        </Card>
        {items.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing has been recorded about this record.</p>
        ) : (
          <ol aria-label="History" className="space-y-3">
            {items.map((item) => (
              <li key={item.id}>
                <Card className="p-5">
                  <EventCard item={item} record={record} />
                </Card>
              </li>
            ))}
          </ol>
        )}
      </div>
    </ClockProvider>
  );
}

/**
 * The record's events (oldest first) as items with their request, its state at `at` beside its state at
 * `compare` (else now), and the time read.
 */
async function loadHistory(
  viewer: ActivityViewer,
  record: RecordRef,
  at: Date | null | "invalid",
  compare: Date | null | "invalid",
) {
  const now = await requestTime();
  const scope = { workspaceId: viewer.workspaceId ?? "" };
  const [rows, states] = await Promise.all([
    activity.history(record, scope),
    at instanceof Date
      ? activity.statesAt(record, [at, compare instanceof Date ? compare : new Date(now)], scope)
      : null,
  ]);
  const items = await activity.toItems(
    rows.map((row) => ({ ...row, seq: null })),
    { audit: true },
  );
  return { items, states, now };
}

function EventCard({ item, record }: { item: ActivityItem; record: RecordRef }) {
  const reason = reasonOf(item);
  const own = item.record?.type === record.type && item.record.id === record.id;
  return (
    <article aria-label={`${actionLabel(item.action)} by ${item.actor.name || "Unattributed"}`} className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <p className="text-sm">
          <span className="font-medium">{item.actor.name || "Unattributed change"}</span>{" "}
          <span className="text-neutral-600">{actionLabel(item.action).toLowerCase()}</span>{" "}
          <span className="font-medium">{item.subject}</span>
          {own ? null : (
            <span className="text-muted-foreground">
              {" "}
              (via {item.record ? `${item.record.type}:${item.record.id}` : "a related change"})
            </span>
          )}
        </p>
        {/* The event's own page (its permalink), named for a screen reader by the time and the event. */}
        <Link
          href={`/audit/events/${item.id}`}
          prefetch={false}
          className="text-xs text-muted-foreground underline-offset-2 hover:underline"
        >
          <AuditTime iso={item.occurredAt} className="whitespace-nowrap" />
          <span className="sr-only"> · event {item.id}: details</span>
        </Link>
      </div>
      {reason ? (
        <p className="text-sm">
          <span className="text-muted-foreground">Why:</span> {reason}
        </p>
      ) : null}
      <ChangeDiff changes={item.readable} />
      {item.context?.requestId || item.context?.ip ? (
        <p className="text-xs text-muted-foreground">
          Request {item.context.requestId ?? "—"} · {item.context.ip ?? "unknown IP"}
        </p>
      ) : null}
      {item.changes.length > 0 ? <RevertForm eventId={item.id} revertAction={revertEventAction} /> : null}
    </article>
  );
}
