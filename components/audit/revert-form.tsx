"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import type { RevertConflict } from "@/lib/activity";
import { formatValue } from "@/lib/activity-client/diff";

function conflictsOf(details: unknown): RevertConflict[] {
  const conflicts = (details as { conflicts?: unknown } | undefined)?.conflicts;
  return Array.isArray(conflicts) ? (conflicts as RevertConflict[]) : [];
}

/** What the revert action answers: the record's page on success, the conflicting fields on a conflict. */
export type RevertFormState =
  | { ok: true; data: { recordHref: string | null } }
  | { ok: false; error: { code: string; message: string; details?: unknown } };

/**
 * "Revert this change", posting `eventId` (and `force=on` to overwrite) to the host's revert action. When a field has changed since, the server refuses and says which: the admin sees
 * its current value and the value the revert would restore, and can revert anyway.
 */
export function RevertForm<S extends RevertFormState>({
  eventId,
  revertAction,
}: {
  eventId: string;
  revertAction: (previous: S | null, formData: FormData) => Promise<S>;
}) {
  const [state, action, pending] = useActionState<S | null, FormData>(revertAction, null);
  const conflicts = state && !state.ok && state.error.code === "conflict" ? conflictsOf(state.error.details) : [];

  if (state?.ok) {
    return (
      <p role="status" className="text-sm text-emerald-800">
        Reverted.{" "}
        {state.data.recordHref ? (
          <Link href={state.data.recordHref} className="underline underline-offset-2">
            See the record’s history
          </Link>
        ) : null}
      </p>
    );
  }

  return (
    <div className="space-y-2">
      {state && !state.ok ? (
        <div role="alert" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          <p className="font-medium">{state.error.message}</p>
          {conflicts.length > 0 ? (
            <>
              <table className="mt-2 w-full text-left text-sm">
                <caption className="sr-only">Fields changed since this event</caption>
                <thead className="text-xs text-amber-800">
                  <tr>
                    <th scope="col" className="py-1 pr-3 font-medium">
                      Field
                    </th>
                    <th scope="col" className="py-1 pr-3 font-medium">
                      Current value
                    </th>
                    <th scope="col" className="py-1 font-medium">
                      Value to restore
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {conflicts.map((c) => (
                    <tr key={`${c.record.type}:${c.record.id}:${c.field}`}>
                      <th scope="row" className="py-1 pr-3 font-mono text-xs font-normal">
                        {c.record.type}:{c.record.id} {c.field}
                      </th>
                      <td className="py-1 pr-3">{formatValue(c.current)}</td>
                      <td className="py-1">{formatValue(c.intended)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <form action={action} className="mt-3">
                <input type="hidden" name="eventId" value={eventId} />
                <input type="hidden" name="force" value="on" />
                <Button type="submit" variant="destructive" size="sm" disabled={pending}>
                  {pending ? "Reverting…" : "Revert anyway"}
                </Button>
              </form>
            </>
          ) : null}
        </div>
      ) : null}
      {conflicts.length === 0 ? (
        <form action={action}>
          <input type="hidden" name="eventId" value={eventId} />
          <Button type="submit" variant="outline" size="sm" disabled={pending}>
            {pending ? "Reverting…" : "Revert this change"}
          </Button>
        </form>
      ) : null}
    </div>
  );
}
