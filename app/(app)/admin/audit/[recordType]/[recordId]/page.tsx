import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { revertEventAction } from "@/app/(app)/admin/audit/actions";
import { ClockProvider } from "@/components/activity/clock";
import { AuditTime } from "@/components/audit/audit-time";
import { ChangeDiff } from "@/components/audit/change-diff";
import { RecordStateView } from "@/components/audit/record-state";
import { RevertForm } from "@/components/audit/revert-form";
import { TimeTravelForm } from "@/components/audit/time-travel-form";
import { NotAllowed } from "@/components/not-allowed";
import { Card } from "@/components/ui/card";
import type { ActivityItem, RecordRef } from "@/lib/activity";
import { actionLabel, reasonOf } from "@/lib/activity-client/describe";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { activity } from "@/lib/activity-kit";
import { auditRecordFrom } from "@/lib/audit-record";
import { isAdmin, requireViewer } from "@/lib/auth/viewer";
import { parseInstant } from "@/lib/instant";

export const metadata: Metadata = { title: "Record history · activity-kit" };

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

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
          {item.unattributed ? (
            <span className="ml-2 rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-amber-200 ring-inset">
              Unattributed: outside the app
            </span>
          ) : null}
        </p>
        <AuditTime iso={item.occurredAt} className="text-xs whitespace-nowrap text-muted-foreground" />
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
          {item.context.userAgent ? ` · ${item.context.userAgent.slice(0, 80)}` : null}
        </p>
      ) : null}
      {item.changes.length > 0 ? <RevertForm eventId={item.id} revertAction={revertEventAction} /> : null}
    </article>
  );
}

export default async function RecordHistoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ recordType: string; recordId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer();
  if (!isAdmin(viewer)) return <NotAllowed what="The audit log" />;
  const record = auditRecordFrom(await params);
  if (!record) notFound();
  const { type: recordType, id: recordId } = record;
  const query = await searchParams;
  const newestFirst = first(query.order) === "newest";
  const at = parseInstant(first(query.at));

  const workspaceId = viewer.workspace.id;
  const [rows, state, cookieStore] = await Promise.all([
    activity.history(record, { workspaceId }),
    at instanceof Date ? activity.asOf(record, at, { workspaceId }) : null,
    cookies(),
  ]);
  const items = await activity.toItems(
    rows.map((r) => ({ ...r, seq: null })),
    { audit: true },
  );
  if (newestFirst) items.reverse();
  const zone = cookieStore.get(TIME_ZONE_COOKIE)?.value;
  const latest = newestFirst ? items[0] : items.at(-1);
  const ownLatest = [...items].reverse().find((i) => i.record?.type === record.type && i.record.id === record.id);
  const current = ownLatest?.record;
  const name = ownLatest?.subject ?? latest?.subject ?? `${recordType} ${recordId}`;
  const orderHref = (order: "oldest" | "newest") => {
    const next = new URLSearchParams();
    if (order === "newest") next.set("order", "newest");
    const atParam = first(query.at);
    if (atParam) next.set("at", atParam);
    return `?${next}`;
  };

  return (
    <ClockProvider now={Date.now()} timeZone={isTimeZone(zone) ? zone : "UTC"}>
      <div className="space-y-6">
        <div>
          <Link href="/admin/audit" className="text-sm text-muted-foreground hover:underline">
            ← Audit log
          </Link>
          <h1 className="mt-1 text-2xl font-semibold">History of {name}</h1>
          <p className="mt-1 text-sm text-muted-foreground">
            <span className="font-mono">
              {recordType}:{recordId}
            </span>
            {current ? (
              current.exists ? (
                current.href ? (
                  <>
                    {" · "}
                    <Link href={current.href} className="underline underline-offset-2">
                      Open the {recordType}
                    </Link>
                  </>
                ) : null
              ) : (
                " · deleted: its history remains"
              )
            ) : null}
          </p>
        </div>

        <Card aria-label="Time travel" className="space-y-4">
          <TimeTravelForm at={at instanceof Date ? at.toISOString() : null} />
          {at === "invalid" ? (
            <p role="alert" className="text-sm text-destructive">
              That is not a time: pick a date and time between the years 1 and 9999.
            </p>
          ) : at && state ? (
            <RecordStateView state={state} at={at} />
          ) : null}
        </Card>

        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold">
            {items.length} event{items.length === 1 ? "" : "s"}, {newestFirst ? "newest" : "oldest"} first
          </h2>
          <Link href={orderHref(newestFirst ? "oldest" : "newest")} className="text-sm underline underline-offset-2">
            {newestFirst ? "Oldest first" : "Newest first"}
          </Link>
        </div>
        {items.length === 0 ? (
          <Card>
            <p className="text-sm text-muted-foreground">Nothing has been recorded about this record.</p>
          </Card>
        ) : (
          <ol aria-label="History" className="space-y-3">
            {items.map((item) => (
              <li key={item.id}>
                <Card>
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
