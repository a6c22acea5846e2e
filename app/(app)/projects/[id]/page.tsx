import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConfirmDeleteButton } from "@/components/confirm-delete-button";
import { LastEdited, loadRecordActivity, RecordActivity } from "@/components/record-activity";
import { TaskStatusBadge } from "@/components/task-status-badge";
import { Card } from "@/components/ui/card";
import { isAdmin, requireViewer } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { parseRouteId } from "@/lib/demo/fields";
import { getProject } from "@/lib/demo/projects";
import { listTasks } from "@/lib/demo/tasks";
import { archiveProjectAction, deleteProjectAction } from "../actions";
import { ProjectForm } from "../project-form";

export const metadata: Metadata = { title: "Project · activity-kit" };

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const id = parseRouteId((await params).id);
  const viewer = await requireViewer();
  const db = await getDb();
  const project = id ? await getProject(db, viewer.workspace.id, id) : null;
  if (!project) notFound();
  const [taskRows, activityData] = await Promise.all([
    listTasks(db, viewer.workspace.id, { projectId: project.id }),
    loadRecordActivity(viewer, { type: "project", id: String(project.id) }),
  ]);
  const openTasks = taskRows.filter((t) => t.status === "todo" || t.status === "doing").length;
  return (
    <div className="space-y-6">
      <div>
        <Link href="/projects" className="text-sm text-muted-foreground hover:underline">
          ← Projects
        </Link>
        <div className="mt-1 flex items-center gap-3">
          <h1 className="text-2xl font-semibold">{project.name}</h1>
          {project.archivedAt ? (
            <span className="rounded-full bg-muted px-2 py-0.5 text-xs font-medium text-muted-foreground">
              Archived
            </span>
          ) : null}
          {isAdmin(viewer) ? (
            <Link
              href={`/admin/audit/project/${project.id}`}
              className="ml-auto text-sm text-muted-foreground hover:underline"
            >
              History
            </Link>
          ) : null}
        </div>
        <LastEdited data={activityData} />
      </div>
      <Card aria-label="Edit project">
        <ProjectForm project={project} />
      </Card>
      <Card aria-label="Project tasks">
        <h2 className="mb-3 font-medium">Tasks</h2>
        {taskRows.length === 0 ? (
          <p className="text-sm text-muted-foreground">No tasks in this project.</p>
        ) : (
          <ul className="space-y-2">
            {taskRows.map((t) => (
              <li key={t.id} className="flex items-center gap-3">
                <TaskStatusBadge status={t.status} />
                <Link href={`/tasks/${t.id}`} className="hover:underline">
                  {t.title}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <RecordActivity data={activityData} viewer={viewer} />
      <Card aria-label="Archive" className="flex items-center justify-between gap-4">
        {project.archivedAt ? (
          <p role="status" className="text-sm text-muted-foreground">
            This project is archived: its open tasks were cancelled when it was.
          </p>
        ) : (
          <>
            <p className="text-sm text-muted-foreground">
              Archiving a project cancels its open tasks ({openTasks === 1 ? "1 task" : `${openTasks} tasks`} now), each
              with the reason that the project was archived.
            </p>
            <ConfirmDeleteButton
              action={archiveProjectAction}
              id={project.id}
              label="Archive project"
              confirmLabel="Confirm archive"
            />
          </>
        )}
      </Card>
      <Card aria-label="Danger zone" className="flex items-center justify-between">
        <p className="text-sm text-muted-foreground">Deleting a project also deletes its tasks and their comments.</p>
        <ConfirmDeleteButton action={deleteProjectAction} id={project.id} label="Delete project" />
      </Card>
    </div>
  );
}
