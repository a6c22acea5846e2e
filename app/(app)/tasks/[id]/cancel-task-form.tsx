"use client";

import { Field, FormMessage } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useFormAction } from "@/components/use-form-action";
import { cancelTaskAction } from "../actions";

export function CancelTaskForm({ taskId }: { taskId: number }) {
  const { state, pending, formProps } = useFormAction(cancelTaskAction, null);
  return (
    <form {...formProps} className="flex flex-col gap-3 sm:flex-row sm:items-end" noValidate>
      <input type="hidden" name="id" value={taskId} />
      <div className="flex-1">
        <Field label="Reason" name="reason" state={state} hint="Shown in the activity feed and the audit log.">
          <Input maxLength={500} placeholder="Why is this task no longer needed?" />
        </Field>
      </div>
      <Button type="submit" variant="outline" disabled={pending}>
        {pending ? "Cancelling…" : "Cancel task"}
      </Button>
      <FormMessage state={state} hidden={["id"]} />
    </form>
  );
}
