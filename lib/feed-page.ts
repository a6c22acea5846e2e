import { ActivityError } from "@/lib/activity";
import type { FeedPage } from "@/lib/activity-client/feed-query";
import { activity } from "@/lib/activity-kit";

export type LoadedFeedPage = { page: FeedPage; error?: undefined } | { page?: undefined; error: ActivityError };

/**
 * The first page of the feed (or, with `audit`, of the audit log) for a server-rendered page: bad filters
 * come back as the error to show, not as a crash.
 */
export async function loadFirstPage(
  workspaceId: number,
  search: URLSearchParams,
  options: { audit?: boolean } = {},
): Promise<LoadedFeedPage> {
  try {
    return { page: await activity.feed(workspaceId, search, options) };
  } catch (error) {
    if (error instanceof ActivityError) return { error };
    throw error;
  }
}

/** The name of the record a filter names (`task:42`), for its field and chip; null when unknown or malformed. */
export async function loadRecordLabel(workspaceId: number, record: string | undefined): Promise<string | null> {
  return record ? activity.recordLabel(record, { workspaceId }) : null;
}
