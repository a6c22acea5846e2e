/**
 * The seam between this app and the activity kit (`lib/activity/`): the database, the event catalogue and
 * the tracked tables. In your own app, this is the one file you edit.
 *
 * After adding or changing a registration, run `npm run activity:migration` to generate the migration
 * that installs its capture triggers, then `npm run activity:coverage` checks them.
 */
import { z } from "zod";
import { createActivityKit, createLiveHub, defineCatalogue, type LiveHub, trackTable } from "@/lib/activity";
import { getDb, getDbHandle } from "@/lib/db";
import { comments, projects, tasks, users } from "@/lib/db/schema";

export const catalogue = defineCatalogue({
  "task.cancelled": z.object({
    reason: z.string().trim().min(1, "Give a reason for cancelling.").max(500, "Keep the reason under 500 characters."),
  }),
});

export const trackedTables = [
  trackTable(projects, {
    type: "project",
    workspace: projects.workspaceId,
    label: projects.name,
    ignore: [projects.updatedAt],
    href: (id) => `/projects/${id}`,
  }),
  trackTable(tasks, {
    type: "task",
    workspace: tasks.workspaceId,
    label: tasks.title,
    ignore: [tasks.updatedAt],
    href: (id) => `/tasks/${id}`,
  }),
  trackTable(comments, {
    type: "comment",
    workspace: comments.workspaceId,
    label: comments.body,
    ignore: [comments.updatedAt],
    describe: (row) => `comment on task ${row.taskId}`,
  }),
];

/** Whose deletion keeps their events (with the name as it was) and drops the link to them. */
export const actorsTable = { table: users, id: users.id };

export const activity = createActivityKit({
  db: () => getDb(),
  catalogue,
  tables: trackedTables,
  secret: () => process.env.AUTH_SECRET ?? "",
});

export const { withTracking, history, isTracked, isTrackedBy, recordKey } = activity;

// One hub per server process (Next loads route bundles and instrumentation as separate module graphs).
const globalForLive = globalThis as unknown as { activityKitLive?: LiveHub };

/** This process's live hub: one listening connection, fanning sequenced events out to the open streams. */
export function liveHub(): LiveHub {
  globalForLive.activityKitLive ??= createLiveHub({
    db: () => getDb(),
    listen: async (channel, onMessage, onReconnect) => (await getDbHandle()).listen(channel, onMessage, onReconnect),
    toItems: activity.toItems,
  });
  return globalForLive.activityKitLive;
}
