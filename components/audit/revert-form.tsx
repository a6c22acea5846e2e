"use client";

import Link from "next/link";
import {
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  useActionState,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
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

/** What undoing the event does to its record beyond its fields: an undone create deletes it, an undone delete recreates it. */
export type RevertEffect = "delete" | "recreate";

const EFFECT_TEXT: Record<RevertEffect, { warning: string; button: string }> = {
  delete: { warning: "Reverting this change deletes", button: "Revert and delete" },
  recreate: { warning: "Reverting this change recreates", button: "Revert and recreate" },
};

/**
 * "Revert this change", posting `eventId` (with `force=on` to overwrite, and an optional `reason`) to the
 * host's revert action. A revert that deletes or recreates a record asks first, with a field for the
 * reason. When a field has changed since, the server refuses and says which: the admin sees its current
 * value and the value the revert would restore, and can revert anyway, or close the panel (Cancel or
 * Escape). Focus follows: to the confirmation, to the answer, back to the button when a panel closes.
 */
export function RevertForm<S extends RevertFormState>({
  eventId,
  revertAction,
  effect = null,
  recordName = "the record",
  revertedBy = null,
}: {
  eventId: string;
  revertAction: (previous: S | null, formData: FormData) => Promise<S>;
  /** Set when the revert deletes or recreates the record: it is then confirmed first. */
  effect?: RevertEffect | null;
  /** How the confirmation names the record ("task Fix login"). */
  recordName?: string;
  /**
   * Set when a later revert undid the event ("Reverted by Alice · when"): shown instead of the button. The
   * form stays mounted when the page refreshes to show it, so its own answer keeps the focus.
   */
  revertedBy?: ReactNode;
}) {
  const [state, action, pending] = useActionState<S | null, FormData>(revertAction, null);
  const [dismissed, setDismissed] = useState<S | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const trigger = useRef<HTMLButtonElement>(null);
  const answer = useRef<HTMLElement>(null);
  const reasonField = useRef<HTMLTextAreaElement>(null);
  const reasonId = useId();
  const open = state !== null && state !== dismissed;
  const failed = open && !state.ok ? (state as Extract<RevertFormState, { ok: false }>) : null;
  const conflicts = failed?.error.code === "conflict" ? conflictsOf(failed.error.details) : [];
  const several = new Set(conflicts.map((c) => `${c.record.type}:${c.record.id}`)).size > 1;

  // Keyboard and screen reader users land on what the revert answered.
  useEffect(() => {
    if (state) answer.current?.focus();
  }, [state]);
  useEffect(() => {
    if (confirming) reasonField.current?.focus();
  }, [confirming]);

  const close = () => {
    setDismissed(state);
    setConfirming(false);
    // After the panel is gone, the button that opened it takes the focus back.
    requestAnimationFrame(() => trigger.current?.focus());
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      close();
    }
  };

  if (state?.ok) {
    return (
      <p
        ref={answer as RefObject<HTMLParagraphElement>}
        tabIndex={-1}
        role="status"
        className="text-sm text-emerald-800 focus:outline-none"
      >
        Reverted.{" "}
        {state.data.recordHref ? (
          <Link href={state.data.recordHref} className="underline underline-offset-2">
            See the record’s history
          </Link>
        ) : null}
      </p>
    );
  }

  if (revertedBy) return <>{revertedBy}</>;

  const reasonInput = reason ? <input type="hidden" name="reason" value={reason} /> : null;
  return (
    <div className="space-y-2">
      {failed ? (
        <div
          ref={answer as RefObject<HTMLDivElement>}
          tabIndex={-1}
          role="alert"
          onKeyDown={onKeyDown}
          className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-amber-400"
        >
          <p className="font-medium">{failed.error.message}</p>
          {conflicts.length > 0 ? (
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
                    {c.readable ? (
                      // The field as the diffs name it ("Assignee"), the record named only when the event changed several.
                      <th scope="row" className="py-1 pr-3 font-normal">
                        {c.readable.label}
                        {several ? <span className="text-xs text-amber-800"> · {c.readable.record}</span> : null}
                      </th>
                    ) : (
                      <th scope="row" className="py-1 pr-3 font-mono text-xs font-normal">
                        {c.record.type}:{c.record.id} {c.field}
                      </th>
                    )}
                    <td className="py-1 pr-3 break-words">{c.readable?.current ?? formatValue(c.current)}</td>
                    <td className="py-1 break-words">{c.readable?.intended ?? formatValue(c.intended)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <div className="mt-3 flex gap-2">
            {conflicts.length > 0 ? (
              <form action={action}>
                <input type="hidden" name="eventId" value={eventId} />
                <input type="hidden" name="force" value="on" />
                {reasonInput}
                <Button type="submit" variant="destructive" size="sm" disabled={pending}>
                  {pending ? "Reverting…" : "Revert anyway"}
                </Button>
              </form>
            ) : null}
            <Button type="button" variant="outline" size="sm" onClick={close}>
              Cancel
            </Button>
          </div>
        </div>
      ) : confirming && effect ? (
        <form
          action={action}
          aria-label="Confirm the revert"
          onKeyDown={onKeyDown}
          className="space-y-2 rounded-md border border-border bg-neutral-50 p-3 text-sm"
        >
          <p className="font-medium">
            {EFFECT_TEXT[effect].warning} {recordName}.
          </p>
          <input type="hidden" name="eventId" value={eventId} />
          <label htmlFor={reasonId} className="block text-neutral-700">
            Reason (optional)
          </label>
          <textarea
            ref={reasonField}
            id={reasonId}
            name="reason"
            maxLength={500}
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className="w-full rounded-md border border-border bg-card px-2 py-1 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-600"
          />
          <div className="flex gap-2">
            <Button type="submit" variant="destructive" size="sm" disabled={pending}>
              {pending ? "Reverting…" : EFFECT_TEXT[effect].button}
            </Button>
            <Button type="button" variant="outline" size="sm" onClick={close}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
      {!failed && !confirming ? (
        effect ? (
          <Button ref={trigger} type="button" variant="outline" size="sm" onClick={() => setConfirming(true)}>
            Revert this change
          </Button>
        ) : (
          <form action={action}>
            <input type="hidden" name="eventId" value={eventId} />
            <Button ref={trigger} type="submit" variant="outline" size="sm" disabled={pending}>
              {pending ? "Reverting…" : "Revert this change"}
            </Button>
          </form>
        )
      ) : null}
    </div>
  );
}
