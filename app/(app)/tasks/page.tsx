import type { Metadata } from "next";
import Link from "next/link";
import { TaskStatusBadge } from "@/components/task-status-badge";
import { Card } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { listProjects } from "@/lib/demo/projects";
import { listAssignees, listTasks } from "@/lib/demo/tasks";
import { NewTaskForm } from "./new-task-form";

export const metadata: Metadata = { title: "Tasks · activity-kit" };

export default async function TasksPage() {
  const viewer = await requireViewer();
  const db = await getDb();
  const [taskRows, projectRows, assignees] = await Promise.all([
    listTasks(db, viewer.workspace.id),
    listProjects(db, viewer.workspace.id),
    listAssignees(db, viewer.workspace.id),
  ]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Tasks</h1>
      <Card aria-label="New task">
        <NewTaskForm projects={projectRows} assignees={assignees} />
      </Card>
      {taskRows.length === 0 ? (
        <Card className="text-center text-muted-foreground">
          No tasks in {viewer.workspace.name} yet. Add the first one above.
        </Card>
      ) : (
        <Card className="p-0">
          <ul aria-label="Tasks" className="divide-y divide-border">
            {taskRows.map((t) => (
              <li key={t.id} className="flex items-center gap-3 px-5 py-3">
                <TaskStatusBadge status={t.status} />
                <Link href={`/tasks/${t.id}`} className="font-medium hover:underline">
                  {t.title}
                </Link>
                <span className="ml-auto flex gap-4 text-sm text-muted-foreground">
                  {t.projectName ? <span>{t.projectName}</span> : null}
                  <span>{t.assigneeName ?? "Unassigned"}</span>
                  {t.dueDate ? <span>due {t.dueDate}</span> : null}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
