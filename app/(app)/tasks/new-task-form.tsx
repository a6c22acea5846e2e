"use client";

import { useEffect, useRef } from "react";
import { Field, FormMessage } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { useFormAction } from "@/components/use-form-action";
import { createTaskAction } from "./actions";

export function NewTaskForm({
  projects,
  assignees,
  defaultProjectId,
}: {
  projects: { id: number; name: string }[];
  assignees: { id: number; name: string }[];
  defaultProjectId?: number;
}) {
  const { state, pending, formProps } = useFormAction(createTaskAction, null);
  const form = useRef<HTMLFormElement>(null);
  const title = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state?.ok) {
      form.current?.reset();
      title.current?.focus();
    }
  }, [state]);
  return (
    <form ref={form} {...formProps} className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr_1fr_auto] sm:items-end" noValidate>
      <Field label="Title" name="title" state={state}>
        <Input ref={title} placeholder="What needs doing?" maxLength={200} />
      </Field>
      <Field label="Project" name="projectId" state={state}>
        <Select defaultValue={defaultProjectId ?? ""}>
          <option value="">No project</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Assignee" name="assigneeId" state={state}>
        <Select defaultValue="">
          <option value="">Nobody</option>
          {assignees.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Due date" name="dueDate" state={state}>
        <Input type="date" />
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add task"}
      </Button>
      <div className="sm:col-span-5">
        <FormMessage state={state} />
      </div>
    </form>
  );
}
