"use client";

import { useEffect, useRef } from "react";
import { AuditTime } from "@/components/audit/audit-time";
import { ConfirmDeleteButton } from "@/components/confirm-delete-button";
import { Field, FormMessage } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { useFormAction } from "@/components/use-form-action";
import { createCommentAction, deleteCommentAction } from "../actions";

export interface CommentView {
  id: number;
  body: string;
  authorName: string | null;
  createdAt: string;
  canDelete: boolean;
}

export function Comments({ taskId, comments }: { taskId: number; comments: CommentView[] }) {
  const { state, pending, formProps } = useFormAction(createCommentAction, null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok) form.current?.reset();
  }, [state]);
  return (
    <div className="space-y-4">
      {comments.length === 0 ? (
        <p className="text-sm text-muted-foreground">No comments yet.</p>
      ) : (
        <ul aria-label="Comments" className="space-y-3">
          {comments.map((c) => (
            <li key={c.id} className="rounded-md bg-muted px-3 py-2">
              <div className="flex items-center gap-2 text-xs text-muted-foreground">
                <span className="font-medium text-neutral-800">{c.authorName ?? "Deleted user"}</span>
                <AuditTime iso={c.createdAt} />
                {c.canDelete ? (
                  <span className="ml-auto">
                    <ConfirmDeleteButton action={deleteCommentAction} id={c.id} label="Delete comment" />
                  </span>
                ) : null}
              </div>
              <p className="mt-1 whitespace-pre-wrap text-sm">{c.body}</p>
            </li>
          ))}
        </ul>
      )}
      <form ref={form} {...formProps} className="space-y-2" noValidate>
        <input type="hidden" name="taskId" value={taskId} />
        <Field label="Comment" name="body" state={state}>
          <Textarea rows={3} maxLength={5000} />
        </Field>
        <FormMessage state={state} hidden={["taskId"]} />
        <Button type="submit" size="sm" disabled={pending}>
          {pending ? "Posting…" : "Add comment"}
        </Button>
      </form>
    </div>
  );
}
