import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ClockProvider } from "@/components/activity/clock";
import { ConfirmDeleteButton } from "@/components/confirm-delete-button";
import { LastEdited, loadRecordActivity, RecordActivity } from "@/components/record-activity";
import { TaskStatusBadge } from "@/components/task-status-badge";
import { Card } from "@/components/ui/card";
import { isTimeZone, TIME_ZONE_COOKIE } from "@/lib/activity-client/time";
import { isAdmin, requireViewer } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { listComments } from "@/lib/demo/comments";
import { parseRouteId } from "@/lib/demo/fields";
import { listProjects } from "@/lib/demo/projects";
import { getTask, listAssignees } from "@/lib/demo/tasks";
import { deleteTaskAction } from "../actions";
import { CancelTaskForm } from "./cancel-task-form";
import { Comments } from "./comments";
import { EditTaskForm } from "./edit-task-form";

export const metadata: Metadata = { title: "Task · activity-kit" };

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const id = parseRouteId((await params).id);
  const viewer = await requireViewer();
  const db = await getDb();
  const task = id ? await getTask(db, viewer.workspace.id, id) : null;
  if (!task) notFound();
  const [projectRows, assignees, commentRows, cookieStore, activityData] = await Promise.all([
    listProjects(db, viewer.workspace.id),
    listAssignees(db, viewer.workspace.id),
    listComments(db, viewer.workspace.id, task.id),
    cookies(),
    loadRecordActivity(viewer, { type: "task", id: String(task.id) }),
  ]);
  const zone = cookieStore.get(TIME_ZONE_COOKIE)?.value;
  return (
    <div className="space-y-6">
      <div>
        <Link href="/tasks" data-print="hide" className="text-sm text-muted-foreground hover:underline">
          ← Tasks
        </Link>
        <div className="mt-1 flex items-center gap-3">
          <h1 className="text-2xl font-semibold">{task.title}</h1>
          <TaskStatusBadge status={task.status} />
          {isAdmin(viewer) ? (
            <Link
              href={`/admin/audit/task/${task.id}`}
              data-print="hide"
              className="ml-auto text-sm text-muted-foreground hover:underline"
            >
              History
            </Link>
          ) : null}
        </div>
        <LastEdited data={activityData} />
      </div>
      {/* Forms are not printed: neither are the cards that hold nothing else. */}
      <Card aria-label="Edit task" data-print="hide">
        <EditTaskForm task={task} projects={projectRows} assignees={assignees} />
      </Card>
      {task.status !== "cancelled" ? (
        <Card aria-label="Cancel task" data-print="hide">
          <h2 className="mb-3 font-medium">Cancel task</h2>
          <CancelTaskForm taskId={task.id} />
        </Card>
      ) : null}
      <Card aria-label="Comments">
        <h2 className="mb-3 font-medium">Comments</h2>
        {/* The comments' times: the same text on the server and at hydration, then in the reader's zone. */}
        <ClockProvider now={Date.now()} timeZone={isTimeZone(zone) ? zone : "UTC"}>
          <Comments
            taskId={task.id}
            comments={commentRows.map((c) => ({
              id: c.id,
              body: c.body,
              authorName: c.authorName,
              createdAt: c.createdAt.toISOString(),
              canDelete: c.authorId === viewer.user.id || isAdmin(viewer),
            }))}
          />
        </ClockProvider>
      </Card>
      <RecordActivity data={activityData} viewer={viewer} />
      <Card aria-label="Danger zone" data-print="hide" className="flex items-center justify-between">
        <p className="text-sm text-muted-foreground">Deleting a task also deletes its comments.</p>
        <ConfirmDeleteButton action={deleteTaskAction} id={task.id} label="Delete task" />
      </Card>
    </div>
  );
}
