import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { ClockProvider } from "@/components/activity/clock";
import { ErasedValue } from "@/components/activity/erased-value";
import { AuditTime } from "@/components/audit/audit-time";
import { ChangeDiff } from "@/components/audit/change-diff";
import { NotAllowed } from "@/components/not-allowed";
import { Card } from "@/components/ui/card";
import { actionLabel, actionVerb, isErased, reasonOf } from "@/lib/activity-client/describe";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { activity } from "@/lib/activity-kit";
import { isAdmin, requireViewer } from "@/lib/auth/viewer";

export const metadata: Metadata = { title: "Audit event · activity-kit" };

/** The event id a permalink names: decimal digits only (`0012`, `1e3`, `-1` and `1.5` are no event). */
function eventIdFrom(value: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[10rem_1fr] sm:gap-4">
      <dt className="text-sm text-muted-foreground">{term}</dt>
      <dd className="min-w-0 text-sm break-words">{children}</dd>
    </div>
  );
}

const missing = <span className="text-muted-foreground">—</span>;

/**
 * One event of the audit log at its own address (`/admin/audit/events/<id>`), for admins: what happened,
 * who did it and when, every field it changed, and the request behind it. Another workspace's event, an
 * unknown id and a malformed one are all "not found".
 */
export default async function AuditEventPage({ params }: { params: Promise<{ eventId: string }> }) {
  const viewer = await requireViewer();
  if (!isAdmin(viewer)) return <NotAllowed what="The audit log" />;
  const eventId = eventIdFrom((await params).eventId);
  const row = eventId === null ? null : await activity.event(eventId, { workspaceId: viewer.workspace.id });
  if (!row) notFound();
  const [[item], cookieStore, now] = await Promise.all([
    activity.toItems([{ ...row, seq: null }], { audit: true }),
    cookies(),
    readTime(),
  ]);
  if (!item) notFound();
  const zone = cookieStore.get(TIME_ZONE_COOKIE)?.value;
  const actorName = item.actor.name || "Unattributed change";
  const reason = reasonOf(item);
  const historyHref = item.record ? `/admin/audit/${item.record.type}/${item.record.id}` : null;
  const undone = item.action === "revert" ? Number(item.metadata.revertedEventId) : null;

  return (
    <ClockProvider now={now} timeZone={isTimeZone(zone) ? zone : "UTC"}>
      <div className="space-y-6">
        <div>
          <Link href="/admin/audit" className="text-sm text-muted-foreground hover:underline">
            ← Audit log
          </Link>
          <h1 className="mt-1 text-2xl font-semibold break-words">
            {isErased(item, "/actor_label") ? <ErasedValue /> : actorName}{" "}
            <span className="font-normal text-neutral-600">{actionVerb(item.action)}</span> {item.subject}
          </h1>
          <p className="mt-1 text-sm text-muted-foreground">
            Event {item.id} · <AuditTime iso={item.occurredAt} />
          </p>
        </div>

        <Card aria-labelledby="event-details" className="space-y-2">
          <h2 id="event-details" className="text-lg font-semibold">
            Details
          </h2>
          <dl className="divide-y divide-border/60">
            <Detail term="Action">
              {actionLabel(item.action)}{" "}
              <span className="font-mono text-xs text-muted-foreground">({item.action})</span>
              {item.unattributed ? (
                <span className="ml-2 rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-amber-200 ring-inset">
                  Unattributed: outside the app
                </span>
              ) : null}
            </Detail>
            <Detail term="Actor">
              {isErased(item, "/actor_label") ? <ErasedValue /> : actorName}
              <span className="ml-1 text-xs text-muted-foreground">
                ({item.actor.type}
                {item.actor.id ? ` ${item.actor.id}` : ""})
              </span>
            </Detail>
            <Detail term="Time">
              <AuditTime iso={item.occurredAt} />
              <span className="ml-2 inline-block font-mono text-xs whitespace-nowrap text-muted-foreground">
                {item.occurredAt}
              </span>
            </Detail>
            <Detail term="Record">
              {item.record ? (
                <>
                  <span className="font-mono text-xs">
                    {item.record.type}:{item.record.id}
                  </span>
                  {item.record.label ? ` ${item.record.label}` : null}
                  {item.record.exists ? null : <span className="text-muted-foreground"> (deleted)</span>}
                </>
              ) : (
                missing
              )}
            </Detail>
            {reason ? <Detail term="Reason">{reason}</Detail> : null}
            {undone ? (
              <Detail term="Reverted">
                <Link href={`/admin/audit/events/${undone}`} className="underline underline-offset-2">
                  Event {undone}
                </Link>
              </Detail>
            ) : null}
            {item.parent ? (
              <Detail term="Part of">
                <Link href={`/admin/audit/events/${item.parent.id}`} className="underline underline-offset-2">
                  {item.parent.actorName} {actionVerb(item.parent.action)} {item.parent.subject}
                </Link>
              </Detail>
            ) : null}
            <Detail term="Request id">
              {item.context?.requestId ? <span className="font-mono text-xs">{item.context.requestId}</span> : missing}
            </Detail>
            <Detail term="IP address">
              {isErased(item, "/ip") ? (
                <ErasedValue />
              ) : item.context?.ip ? (
                <span className="font-mono text-xs">{item.context.ip}</span>
              ) : (
                missing
              )}
            </Detail>
            <Detail term="User agent">
              {isErased(item, "/user_agent") ? (
                <ErasedValue />
              ) : item.context?.userAgent ? (
                <span className="font-mono text-xs">{item.context.userAgent}</span>
              ) : (
                missing
              )}
            </Detail>
            <Detail term="Transaction id">
              {item.context ? <span className="font-mono text-xs">{item.context.txId}</span> : missing}
            </Detail>
          </dl>
        </Card>

        <Card aria-labelledby="event-changes" className="space-y-3">
          <h2 id="event-changes" className="text-lg font-semibold">
            What changed
          </h2>
          {item.readable.length > 0 ? (
            <ChangeDiff changes={item.readable} />
          ) : (
            <p className="text-sm text-muted-foreground">This event changed no record.</p>
          )}
        </Card>

        <nav aria-label="Related pages" className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
          {historyHref && item.record ? (
            <Link href={historyHref} className="underline underline-offset-2">
              History of {item.record.type} {item.record.label ?? item.record.id}
            </Link>
          ) : null}
          {item.record?.href && item.record.exists ? (
            <Link href={item.record.href} className="underline underline-offset-2">
              Open the {item.record.type}
            </Link>
          ) : null}
          <Link href="/admin/audit" className="underline underline-offset-2">
            Back to the audit log
          </Link>
        </nav>
      </div>
    </ClockProvider>
  );
}

/** When the page was read, for the relative times (outside the component: a render stays pure). */
async function readTime() {
  return Date.now();
}
