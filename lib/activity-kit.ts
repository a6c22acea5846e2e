/**
 * The seam between this app and the activity kit (`lib/activity/`): the database, who is asking, the event
 * catalogue and the tracked tables. In your own app, this is the one file you edit.
 *
 * After adding or changing a registration, run `npm run activity:migration` (the kit's CLI,
 * `npx tsx lib/activity/cli.ts migration`) to write the migration that installs its capture triggers, apply
 * it, and `npm run activity:coverage` checks them.
 */
import { z } from "zod";
import { createActivityKit, defineCatalogue, trackTable } from "@/lib/activity";
import { viewerActor } from "@/lib/actor";
import { getDb, getDbHandle } from "@/lib/db";
import { comments, projects, type TaskStatus, tasks, users } from "@/lib/db/schema";
import { TASK_STATUS_LABELS } from "@/lib/demo/task-status";

export const catalogue = defineCatalogue({
  "task.cancelled": z.object({
    reason: z.string().trim().min(1, "Give a reason for cancelling.").max(500, "Keep the reason under 500 characters."),
  }),
  // Archiving cancels the project's open tasks, each a task.cancelled action nested in this one.
  "project.archived": z.object({}),
});

export const trackedTables = [
  trackTable(projects, {
    type: "project",
    workspace: projects.workspaceId,
    label: projects.name,
    ignore: [projects.updatedAt],
    href: (id) => `/projects/${id}`,
    fields: {
      name: { label: "Name" },
      description: { label: "Description" },
      archivedAt: { label: "Archived" },
      createdAt: { hidden: true },
    },
  }),
  trackTable(tasks, {
    type: "task",
    workspace: tasks.workspaceId,
    label: tasks.title,
    ignore: [tasks.updatedAt],
    href: (id) => `/tasks/${id}`,
    fields: {
      title: { label: "Title" },
      status: { label: "Status", format: (v) => TASK_STATUS_LABELS[v as TaskStatus] ?? String(v) },
      projectId: { label: "Project", ref: "project" },
      assigneeId: { label: "Assignee", ref: "user" },
      dueDate: { label: "Due date" },
      createdAt: { hidden: true },
    },
  }),
  trackTable(comments, {
    type: "comment",
    workspace: comments.workspaceId,
    label: comments.body,
    ignore: [comments.updatedAt],
    describe: (row) => `comment on task ${row.taskId}`,
    fields: {
      body: { label: "Comment" },
      taskId: { label: "Task", ref: "task" },
      authorId: { label: "Author", ref: "user" },
      createdAt: { hidden: true },
    },
  }),
];

/** Whose deletion keeps their events (with the name as it was) and drops the link to them; `ref: "user"` reads their names. */
export const actors = { table: users, id: users.id, label: users.name };

export const activity = createActivityKit({
  db: () => getDb(),
  catalogue,
  tables: trackedTables,
  actors,
  secret: () => process.env.AUTH_SECRET ?? "",
  // LISTEN on a session of its own: the server itself when DATABASE_URL goes through a transaction pooler.
  listen: async (channel, onMessage, onReconnect) => (await getDbHandle()).listen(channel, onMessage, onReconnect),
  // Signs the hash chain's exported checkpoints (`npm run activity:checkpoint`); without it, AUTH_SECRET does.
  checkpointKey: () => process.env.ACTIVITY_CHECKPOINT_KEY,
  // The live streams' bounds keep the kit's defaults; the browser tests lower the replay bound to reach it,
  // and the HTTP bench (`npm run bench -- http`) raises the per-viewer cap to open thousands of streams.
  live: {
    replayLimit: optionalCount(process.env.ACTIVITY_REPLAY_LIMIT),
    maxStreamsPerViewer: optionalCount(process.env.ACTIVITY_MAX_STREAMS_PER_VIEWER),
  },
  // How long events are kept (`npm run activity:retention [-- --dry-run]` applies it); see lib/activity/retention.ts.
  retention: { "*": "2 years" },
  // The signed-in user in the workspace they are looking at; the workspace's admins read the audit log.
  // The session is imported on first use: the kit's CLI and the tests load this file outside Next. Read
  // afresh on every call, so the stream's periodic re-check sees a sign-out or a lost membership.
  viewer: () => activityViewer("readViewerState"),
  // An open stream's re-checks: the same checks, the session cookie verified without re-encrypting it.
  recheckViewer: () => activityViewer("recheckViewerState"),
});

/** The app's viewer as the kit sees them: who acts, in which workspace, whether they read the audit log. */
async function activityViewer(read: "readViewerState" | "recheckViewerState") {
  const session = await import("@/lib/auth/viewer");
  const state = await session[read]();
  if (state.status !== "ok") return null;
  return { actor: viewerActor(state), workspaceId: state.workspace.id, canAudit: session.isAdmin(state) };
}

function optionalCount(value: string | undefined): number | undefined {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
