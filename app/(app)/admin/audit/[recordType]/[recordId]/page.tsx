import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { revertEventAction } from "@/app/(app)/admin/audit/actions";
import { ClockProvider } from "@/components/activity/clock";
import { AuditTime } from "@/components/audit/audit-time";
import { ChangeDiff } from "@/components/audit/change-diff";
import { RecordStateView } from "@/components/audit/record-state";
import { type RevertEffect, RevertForm } from "@/components/audit/revert-form";
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

/** The revert that undid an event: who, when. */
type RevertedBy = { name: string; occurredAt: string; eventId: string };

/** What reverting the event does to its record beyond its fields (asked for first). */
function revertEffect(item: ActivityItem): RevertEffect | null {
  if (item.changes.some((c) => c.op === "insert")) return "delete";
  if (item.changes.some((c) => c.op === "delete")) return "recreate";
  return null;
}

function EventCard({
  item,
  record,
  recordName,
  revertedBy,
  historyOf,
}: {
  item: ActivityItem;
  record: RecordRef;
  recordName: string;
  revertedBy: RevertedBy | undefined;
  historyOf: (item: ActivityItem) => string;
}) {
  const reason = reasonOf(item);
  const own = item.record?.type === record.type && item.record.id === record.id;
  const actor = item.actor.name || "Unattributed change";
  const undone = item.action === "revert" ? Number(item.metadata.revertedEventId) : null;
  const undoneActor = typeof item.metadata.revertedActor === "string" ? item.metadata.revertedActor : null;
  return (
    <article aria-label={`${actionLabel(item.action)} by ${item.actor.name || "Unattributed"}`} className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h3 className="text-sm font-normal">
          <span className="font-medium">{actor}</span>{" "}
          {undone ? (
            <>
              <span className="text-neutral-600">reverted</span>{" "}
              <a href={`#event-${undone}`} className="underline underline-offset-2">
                {undoneActor ? `${undoneActor}’s change` : "a change"}
              </a>{" "}
              <span className="text-neutral-600">to</span> <span className="font-medium">{historyOf(item)}</span>
            </>
          ) : (
            <>
              <span className="text-neutral-600">{actionLabel(item.action).toLowerCase()}</span>{" "}
              <span className="font-medium">{historyOf(item)}</span>
            </>
          )}
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
        </h3>
        {/* The event's own page (its permalink), named for a screen reader by the time and the event. */}
        <Link
          href={`/admin/audit/events/${item.id}`}
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
          {item.context.userAgent ? ` · ${item.context.userAgent.slice(0, 80)}` : null}
        </p>
      ) : null}
      {item.changes.length > 0 ? (
        <RevertForm
          eventId={item.id}
          revertAction={revertEventAction}
          effect={revertEffect(item)}
          recordName={recordName}
          revertedBy={
            revertedBy ? (
              <p className="text-sm text-muted-foreground">
                <a href={`#event-${revertedBy.eventId}`} className="underline underline-offset-2">
                  Reverted by {revertedBy.name}
                </a>{" "}
                · <AuditTime iso={revertedBy.occurredAt} />
              </p>
            ) : null
          }
        />
      ) : null}
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
  const compare = at instanceof Date ? parseInstant(first(query.compare)) : null;

  const workspaceId = viewer.workspace.id;
  // The state asked for, and what it is compared with: a second instant, else the present.
  const [rows, states, cookieStore] = await Promise.all([
    activity.history(record, { workspaceId }),
    at instanceof Date
      ? activity.statesAt(record, [at, compare instanceof Date ? compare : new Date()], { workspaceId })
      : null,
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
  // The record's name now (or its last, once deleted), not an event's subject: a revert's or a delete's
  // subject read "reverted reverted …" or "deleted task X (deleted)" in the heading.
  const label = items.find((i) => i.record?.type === record.type && i.record.id === record.id)?.record?.label;
  const name = label ? `${recordType} ${label}` : (latest?.subject ?? `${recordType} ${recordId}`);
  // Each event undone by a later revert: who reverted it and when (shown instead of the button).
  const revertedBy = new Map<string, RevertedBy>();
  for (const item of items) {
    if (item.action === "revert" && item.metadata.revertedEventId !== undefined) {
      revertedBy.set(String(item.metadata.revertedEventId), {
        name: item.actor.name || "Unattributed",
        occurredAt: item.occurredAt,
        eventId: item.id,
      });
    }
  }
  // How a line names its record: by its current name when it is this record.
  const historyOf = (item: ActivityItem) =>
    item.record?.label ? `${item.record.type} ${item.record.label}` : item.subject;
  const orderHref = (order: "oldest" | "newest") => {
    const next = new URLSearchParams();
    if (order === "newest") next.set("order", "newest");
    const atParam = first(query.at);
    if (atParam) next.set("at", atParam);
    const compareParam = first(query.compare);
    if (atParam && compareParam) next.set("compare", compareParam);
    return `?${next}`;
  };

  return (
    <ClockProvider now={Date.now()} timeZone={isTimeZone(zone) ? zone : "UTC"}>
      <div className="space-y-6">
        <div>
          <Link href="/admin/audit" data-print="hide" className="text-sm text-muted-foreground hover:underline">
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
                  <span data-print="hide">
                    {" · "}
                    <Link href={current.href} className="underline underline-offset-2">
                      Open the {recordType}
                    </Link>
                  </span>
                ) : null
              ) : (
                " · deleted: its history remains"
              )
            ) : null}
          </p>
        </div>

        {/* On paper only the states it shows, if any: its form is not printed. */}
        <Card aria-label="Time travel" data-print={states ? undefined : "hide"} className="space-y-4">
          <TimeTravelForm
            at={at instanceof Date ? at.toISOString() : null}
            compare={compare instanceof Date ? compare.toISOString() : null}
          />
          {at === "invalid" || compare === "invalid" ? (
            <p role="alert" className="text-sm text-destructive">
              That is not a time: pick a date and time between the years 1 and 9999.
            </p>
          ) : states ? (
            <RecordStateView
              left={states[0]!}
              right={{ ...states[1]!, at: compare instanceof Date ? compare : null }}
            />
          ) : null}
        </Card>

        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold">
            {items.length} event{items.length === 1 ? "" : "s"}, {newestFirst ? "newest" : "oldest"} first
          </h2>
          <Link
            href={orderHref(newestFirst ? "oldest" : "newest")}
            data-print="hide"
            className="text-sm underline underline-offset-2"
          >
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
              <li
                key={item.id}
                id={`event-${item.id}`}
                className="scroll-mt-4 target:ring-2 target:ring-sky-300 rounded-lg"
              >
                <Card>
                  <EventCard
                    item={item}
                    record={record}
                    recordName={name}
                    revertedBy={revertedBy.get(item.id)}
                    historyOf={historyOf}
                  />
                </Card>
              </li>
            ))}
          </ol>
        )}
      </div>
    </ClockProvider>
  );
}
