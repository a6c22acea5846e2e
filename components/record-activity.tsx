import { cookies } from "next/headers";
import { ActivityFeed } from "@/components/activity/activity-feed";
import { ClockProvider } from "@/components/activity/clock";
import { FilterError } from "@/components/activity/feed-states";
import { RelativeTime } from "@/components/activity/relative-time";
import { Card } from "@/components/ui/card";
import type { ActivityItem, RecordRef } from "@/lib/activity";
import { formatRecordKey } from "@/lib/activity";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import type { Viewer } from "@/lib/auth/viewer";
import { isAdmin } from "@/lib/auth/viewer";
import { type LoadedFeedPage, loadFirstPage } from "@/lib/feed-page";

export interface RecordActivityData {
  record: RecordRef;
  loaded: LoadedFeedPage;
  /** The newest event of the record itself (not of its comments): "Last edited by … · when". */
  lastEdit: ActivityItem | null;
  timeZone: string;
  now: number;
}

/** A record page's activity: the feed narrowed to the record (its comments included), for every member. */
export async function loadRecordActivity(viewer: Viewer, record: RecordRef): Promise<RecordActivityData> {
  const [loaded, cookieStore] = await Promise.all([
    loadFirstPage(viewer.workspace.id, new URLSearchParams({ record: formatRecordKey(record) })),
    cookies(),
  ]);
  const lastEdit = loaded.page?.items.find((i) => i.record?.type === record.type && i.record.id === record.id) ?? null;
  const zone = cookieStore.get(TIME_ZONE_COOKIE)?.value;
  return { record, loaded, lastEdit, timeZone: isTimeZone(zone) ? zone : "UTC", now: Date.now() };
}

/** "Last edited by Alice Adams · 5 min ago", under a record page's title. */
export function LastEdited({ data }: { data: RecordActivityData }) {
  const { lastEdit } = data;
  if (!lastEdit) return null;
  return (
    <ClockProvider now={data.now} timeZone={data.timeZone}>
      <p className="mt-1 text-sm text-muted-foreground">
        Last edited by{" "}
        <span className="font-medium text-neutral-900">{lastEdit.actor.name || "an unattributed change"}</span> ·{" "}
        <RelativeTime iso={lastEdit.occurredAt} />
      </p>
    </ClockProvider>
  );
}

/** The Activity section of a record page: its events, newest first, live. */
export function RecordActivity({ data, viewer }: { data: RecordActivityData; viewer: Viewer }) {
  const filters = { record: formatRecordKey(data.record) };
  return (
    <Card aria-label="Activity">
      <h2 className="mb-3 font-medium">Activity</h2>
      {data.loaded.page ? (
        <ActivityFeed
          filters={filters}
          firstPage={data.loaded.page}
          now={data.now}
          timeZone={data.timeZone}
          historyPath={isAdmin(viewer) ? "/admin/audit" : undefined}
          empty={{ text: "Nothing has happened to this record yet." }}
        />
      ) : (
        <FilterError id="record-activity-error" message={data.loaded.error.message} />
      )}
    </Card>
  );
}
