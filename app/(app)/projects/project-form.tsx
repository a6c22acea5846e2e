"use client";

import { useEffect, useRef } from "react";
import { Field, FormMessage } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Input, Textarea } from "@/components/ui/input";
import { useFormAction } from "@/components/use-form-action";
import { createProjectAction, updateProjectAction } from "./actions";

/** Creates a project, or edits one when `project` is given. */
export function ProjectForm({
  project,
}: {
  project?: { id: number; name: string; description: string; updatedAt?: Date | string };
}) {
  const { state, pending, formProps } = useFormAction(project ? updateProjectAction : createProjectAction, null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok && !project) form.current?.reset();
  }, [state, project]);
  return (
    <form ref={form} {...formProps} className="space-y-3" noValidate>
      {project ? <input type="hidden" name="id" value={project.id} /> : null}
      {/* Remounted with the saved values after every change to the project. */}
      <div key={project?.updatedAt ? new Date(project.updatedAt).getTime() : "new"} className="space-y-3">
        <Field label="Name" name="name" state={state}>
          <Input defaultValue={project?.name} maxLength={120} />
        </Field>
        <Field label="Description" name="description" state={state}>
          <Textarea defaultValue={project?.description} rows={2} maxLength={2000} />
        </Field>
      </div>
      <FormMessage state={state} hidden={project ? ["id"] : []} />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          {project ? (pending ? "Saving…" : "Save changes") : pending ? "Adding…" : "Add project"}
        </Button>
        {state?.ok && project ? (
          <span role="status" className="text-sm text-green-700">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}
