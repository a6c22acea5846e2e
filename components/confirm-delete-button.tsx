"use client";

import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import type { ActionState } from "@/lib/actions";

/**
 * Two steps, so a stray click changes nothing: "Delete …" asks, "Confirm delete" does it (another destructive
 * action names its own confirm button: "Confirm archive").
 */
export function ConfirmDeleteButton<T>({
  action,
  id,
  label,
  consequence,
  confirmLabel = "Confirm delete",
}: {
  action: (state: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;
  id: number;
  label: string;
  consequence?: string;
  confirmLabel?: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const [state, formAction, pending] = useActionState<ActionState<T>, FormData>(action, null);
  if (!confirming) {
    return (
      <Button type="button" variant="outline" size="sm" onClick={() => setConfirming(true)}>
        {label}
      </Button>
    );
  }
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="id" value={id} />
      {consequence ? <span className="text-sm text-muted-foreground">{consequence}</span> : null}
      <Button type="submit" variant="destructive" size="sm" disabled={pending} autoFocus>
        {confirmLabel}
      </Button>
      <Button type="button" variant="ghost" size="sm" onClick={() => setConfirming(false)}>
        Keep
      </Button>
      {state && !state.ok ? <span className="text-sm text-destructive">{state.error.message}</span> : null}
    </form>
  );
}
