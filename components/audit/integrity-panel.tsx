"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/** One verification of the hash chain, as the panel shows it. */
export interface IntegrityVerification {
  ok: boolean;
  checked: number;
  headSeq: number;
  /** ISO 8601. */
  verifiedAt: string;
  problem: { kind: string; seq: number | null; message: string } | null;
}

export type IntegrityActionState =
  | { ok: true; data: IntegrityVerification }
  | { ok: false; error: { code: string; message: string } };

function Outcome({ verification, when }: { verification: IntegrityVerification; when: string }) {
  const { ok, checked, headSeq, problem } = verification;
  return ok ? (
    <p className="text-sm text-emerald-800">
      <span className="font-medium">Intact.</span> {checked.toLocaleString("en")} events checked, up to number{" "}
      {headSeq.toLocaleString("en")}. <span className="text-muted-foreground">Verified {when}.</span>
    </p>
  ) : (
    <div className="text-sm text-destructive">
      <p>
        <span className="font-medium">
          Broken{problem?.seq ? ` at number ${problem.seq}` : ""}: {problem?.kind ?? "unknown"}.
        </span>{" "}
        {problem?.message}
      </p>
      <p className="text-muted-foreground">
        {checked.toLocaleString("en")} events verified before it. Verified {when}.
      </p>
    </div>
  );
}

/**
 * The hash chain's integrity for admins: the last verification (when, the outcome, the events checked,
 * the head) and a button that runs one through the host's action. `lastWhen` is the last verification's
 * time as the server formatted it (in the viewer's zone), so the first render matches on both sides.
 */
export function IntegrityPanel<S extends IntegrityActionState>({
  last,
  lastWhen,
  verifyAction,
}: {
  last: IntegrityVerification | null;
  lastWhen: string | null;
  verifyAction: (previous: S | null, formData: FormData) => Promise<S>;
}) {
  const [state, action, pending] = useActionState<S | null, FormData>(verifyAction, null);
  const fresh = state?.ok ? state.data : null;
  return (
    <Card className="p-4" aria-labelledby="integrity-heading" role="region">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="space-y-1">
          <h2 id="integrity-heading" className="font-semibold">
            Integrity
          </h2>
          <div role="status" aria-live="polite" aria-label="Last verification">
            {pending ? (
              <p className="text-sm text-muted-foreground">Verifying the hash chain…</p>
            ) : fresh ? (
              <Outcome verification={fresh} when="just now" />
            ) : last ? (
              <Outcome verification={last} when={lastWhen ?? last.verifiedAt} />
            ) : (
              <p className="text-sm text-muted-foreground">
                The hash chain has not been verified yet: every event is sealed in order, verify checks none was edited,
                deleted, inserted or reordered since.
              </p>
            )}
          </div>
          {state && !state.ok ? (
            <p role="alert" className="text-sm text-destructive">
              {state.error.message}
            </p>
          ) : null}
        </div>
        <form action={action}>
          <Button type="submit" variant="outline" disabled={pending}>
            {pending ? "Verifying…" : "Verify now"}
          </Button>
        </form>
      </div>
    </Card>
  );
}
