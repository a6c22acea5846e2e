import type { ReactElement, ReactNode } from "react";
import { cloneElement } from "react";
import { Label } from "@/components/ui/input";
import type { ActionState } from "@/lib/actions";

/** The field's error messages from a failed action result, if any. */
export function fieldErrorsOf(state: ActionState<unknown>, name: string): string[] | undefined {
  return state && !state.ok ? state.error.fieldErrors?.[name] : undefined;
}

/** A labelled control with its validation message right under it, wired for screen readers. */
export function Field({
  label,
  name,
  state,
  hint,
  children,
}: {
  label: string;
  name: string;
  state: ActionState<unknown>;
  hint?: ReactNode;
  children: ReactElement<Record<string, unknown>>;
}) {
  const errors = fieldErrorsOf(state, name);
  const id = `field-${name}`;
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id}>{label}</Label>
      {cloneElement(children, {
        id,
        name,
        "aria-invalid": errors ? true : undefined,
        "aria-describedby": errors ? `${id}-error` : undefined,
      })}
      {hint && !errors ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
      {errors ? (
        <p id={`${id}-error`} className="text-sm text-destructive">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The form-level message of a failed action that is not about one visible field. `hidden`: the names of
 * the form's hidden inputs (a record's id), whose validation errors have no field to show next to.
 */
export function FormMessage({ state, hidden = [] }: { state: ActionState<unknown>; hidden?: string[] }) {
  if (!state || state.ok) return null;
  const message =
    state.error.code === "validation"
      ? hidden.flatMap((name) => state.error.fieldErrors?.[name] ?? []).join(" ")
      : state.error.message;
  if (!message) return null;
  return (
    <p role="status" className="rounded-md bg-red-50 px-3 py-2 text-sm text-destructive">
      {message}
    </p>
  );
}
