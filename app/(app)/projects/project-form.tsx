"use client";

import { useActionState, useEffect, useRef } from "react";
import { Field, FormMessage } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Input, Textarea } from "@/components/ui/input";
import { createProjectAction, updateProjectAction } from "./actions";

/** Creates a project, or edits one when `project` is given. */
export function ProjectForm({ project }: { project?: { id: number; name: string; description: string } }) {
  const [state, action, pending] = useActionState(project ? updateProjectAction : createProjectAction, null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok && !project) form.current?.reset();
  }, [state, project]);
  return (
    <form ref={form} action={action} className="space-y-3" noValidate>
      {project ? <input type="hidden" name="id" value={project.id} /> : null}
      <Field label="Name" name="name" state={state}>
        <Input defaultValue={project?.name} maxLength={120} />
      </Field>
      <Field label="Description" name="description" state={state}>
        <Textarea defaultValue={project?.description} rows={2} maxLength={2000} />
      </Field>
      <FormMessage state={state} />
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
