import { cookies } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { type ReactNode, Suspense } from "react";
import { ClockProvider } from "@/components/activity/clock";
import { SkeletonLines } from "@/components/activity/feed-skeleton";
import { AuditTime } from "@/components/audit/audit-time";
import { ChangeDiff } from "@/components/audit/change-diff";
import { Card } from "@/components/ui/card";
import { requestTime } from "@/lib/activity/next";
import { actionLabel, actionVerb, reasonOf } from "@/lib/activity-client/describe";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { activity } from "@/lib/activity-kit";

/*
 * One event of the audit log at its own address (installed as app/audit/events/[id]/page.tsx by the
 * `activity-audit` item; the log's rows link here): who did what and when, its field diffs, and the request
 * behind it. An unknown id, a malformed one and another workspace's event are all "not found".
 */

/** Decimal digits only: `0012`, `1e3`, `-1` and `1.5` name no event. */
function eventIdFrom(value: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[10rem_1fr] sm:gap-4">
      <dt className="text-sm text-muted-foreground">{term}</dt>
      <dd className="min-w-0 text-sm break-words">{children ?? <span className="text-muted-foreground">—</span>}</dd>
    </div>
  );
}

/**
 * In a Suspense boundary, so the page builds with and without `cacheComponents` (its reads are per request).
 * "Not found" is then decided after the shell has streamed: Next's not-found page, marked noindex.
 */
export default function AuditEventPage({ params }: { params: Promise<{ id: string }> }) {
  return (
    <Suspense
      fallback={
        <main className="mx-auto w-full max-w-4xl px-4 py-8">
          <SkeletonLines count={4} />
        </main>
      }
    >
      <AuditEvent params={params} />
    </Suspense>
  );
}

async function AuditEvent({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await activity.viewer();
  if (!viewer?.canAudit) {
    return (
      <main className="mx-auto w-full max-w-4xl px-4 py-8">
        <p className="text-sm text-muted-foreground">The audit log is not open to you.</p>
      </main>
    );
  }
  const eventId = eventIdFrom((await params).id);
  const row = eventId === null ? null : await activity.event(eventId, { workspaceId: viewer.workspaceId ?? "" });
  if (!row) notFound();
  const [[item], cookieStore, now] = await Promise.all([
    activity.toItems([{ ...row, seq: null }], { audit: true }),
    cookies(),
    requestTime(),
  ]);
  if (!item) notFound();
  const zone = cookieStore.get(TIME_ZONE_COOKIE)?.value;
  const actor = item.actor.name || "Unattributed change";
  const reason = reasonOf(item);
  const mono = (value: string | number | null | undefined) =>
    value === null || value === undefined ? null : <span className="font-mono text-xs">{value}</span>;

  return (
    <ClockProvider now={now} timeZone={isTimeZone(zone) ? zone : "UTC"}>
      <main className="mx-auto w-full max-w-4xl space-y-6 px-4 py-8">
        <div>
          <Link href="/audit" className="text-sm text-muted-foreground hover:underline">
            ← Audit log
          </Link>
          <h1 className="mt-1 text-2xl font-semibold break-words">
            {actor} <span className="font-normal text-neutral-600">{actionVerb(item.action)}</span> {item.subject}
          </h1>
          <p className="mt-1 text-sm text-muted-foreground">
            Event {item.id} · <AuditTime iso={item.occurredAt} />
          </p>
        </div>
        <Card className="p-5">
          <dl className="divide-y divide-border/60">
            <Detail term="Action">{actionLabel(item.action)}</Detail>
            <Detail term="Actor">{actor}</Detail>
            <Detail term="Time">
              <AuditTime iso={item.occurredAt} />
            </Detail>
            {reason ? <Detail term="Reason">{reason}</Detail> : null}
            <Detail term="Request id">{mono(item.context?.requestId)}</Detail>
            <Detail term="IP address">{mono(item.context?.ip)}</Detail>
            <Detail term="User agent">{mono(item.context?.userAgent)}</Detail>
            <Detail term="Transaction id">{mono(item.context?.txId)}</Detail>
          </dl>
        </Card>
        <Card className="space-y-3 p-5">
          <h2 className="text-lg font-semibold">What changed</h2>
          {item.readable.length > 0 ? (
            <ChangeDiff changes={item.readable} />
          ) : (
            <p className="text-sm text-muted-foreground">This event changed no record.</p>
          )}
        </Card>
        <nav aria-label="Related pages" className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
          {item.record ? (
            <Link href={`/audit/${item.record.type}/${item.record.id}`} className="underline underline-offset-2">
              History of {item.record.type} {item.record.label ?? item.record.id}
            </Link>
          ) : null}
          <Link href="/audit" className="underline underline-offset-2">
            Back to the audit log
          </Link>
        </nav>
      </main>
    </ClockProvider>
  );
}
