"use client";

import { Field, FormMessage } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { useFormAction } from "@/components/use-form-action";
import type { Task } from "@/lib/db/schema";
import { TASK_STATUSES } from "@/lib/db/task-statuses";
import { TASK_STATUS_LABELS } from "@/lib/demo/task-status";
import { updateTaskAction } from "../actions";

// "Cancelled" is reached through "Cancel task", which asks for a reason.
const OPEN_STATUSES = ["todo", "doing", "done"] as const;

export function EditTaskForm({
  task,
  projects,
  assignees,
}: {
  task: Task;
  projects: { id: number; name: string }[];
  assignees: { id: number; name: string }[];
}) {
  const { state, pending, formProps } = useFormAction(updateTaskAction, null);
  return (
    <form {...formProps} className="space-y-4" noValidate>
      <input type="hidden" name="id" value={task.id} />
      {/* Remounted with the saved values after every change to the task (this form's or another's). */}
      <div key={new Date(task.updatedAt).getTime()} className="space-y-4">
        <Field label="Title" name="title" state={state}>
          <Input defaultValue={task.title} maxLength={200} />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Status" name="status" state={state}>
            <Select defaultValue={task.status}>
              {(task.status === "cancelled" ? TASK_STATUSES : OPEN_STATUSES).map((s) => (
                <option key={s} value={s}>
                  {TASK_STATUS_LABELS[s]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Due date" name="dueDate" state={state}>
            <Input type="date" defaultValue={task.dueDate ?? ""} />
          </Field>
          <Field label="Project" name="projectId" state={state}>
            <Select defaultValue={task.projectId ?? ""}>
              <option value="">No project</option>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Assignee" name="assigneeId" state={state}>
            <Select defaultValue={task.assigneeId ?? ""}>
              <option value="">Nobody</option>
              {assignees.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      </div>
      <FormMessage state={state} hidden={["id"]} />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save changes"}
        </Button>
        {state?.ok ? (
          <span role="status" className="text-sm text-green-700">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}
