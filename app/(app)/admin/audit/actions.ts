"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction, toFailure } from "@/lib/actions";
import { ActivityError, type RevertConflict } from "@/lib/activity";
import { activity } from "@/lib/activity-kit";
import { viewerActor } from "@/lib/actor";
import { decimalId } from "@/lib/demo/fields";
import { ok } from "@/lib/result";

const revertSchema = z.object({
  eventId: decimalId(Number.MAX_SAFE_INTEGER, "That event does not exist."),
  // "on" when the admin confirmed overwriting the fields that changed since.
  force: z
    .enum(["on", "true"])
    .optional()
    .transform((v) => v !== undefined),
  // Why the change is undone (optional): stored in the revert event's metadata, shown as its reason.
  reason: z
    .string()
    .trim()
    .max(500, "Keep the reason under 500 characters.")
    .optional()
    .transform((v) => v || undefined),
});

export type RevertActionData = { revertedEventId: number; recordHref: string | null };

/**
 * Reverts one event (admins only). On a conflict the result carries the fields with their current and
 * intended values; submitting again with `force` overwrites them.
 */
export const revertEventAction = formAction(
  revertSchema,
  async ({ eventId, force, reason }, viewer) => {
    const result = await activity.revert(viewerActor(viewer), eventId, { force, reason });
    if (!result.ok) {
      const failure = toFailure(new ActivityError(result.error.code, result.error.message));
      const conflicts: RevertConflict[] = result.error.conflicts ?? [];
      return { ...failure, error: { ...failure.error, details: { conflicts } } };
    }
    const record = result.data.record;
    revalidatePath("/admin/audit", "layout");
    return ok({ revertedEventId: eventId, recordHref: record ? `/admin/audit/${record.type}/${record.id}` : null });
  },
  { admin: true },
);

export type VerifyChainActionData = {
  ok: boolean;
  checked: number;
  headSeq: number;
  verifiedAt: string;
  problem: { kind: string; seq: number | null; message: string } | null;
};

/**
 * Verifies the workspace's hash chain (admins only) and records the outcome, which the Integrity panel
 * shows. A broken chain is a successful run with a negative outcome, not a failed action.
 */
export const verifyChainAction = formAction(
  z.object({}),
  async (_input, viewer) => {
    const result = await activity.verify(viewer.workspace.id);
    revalidatePath("/admin/audit");
    return ok<VerifyChainActionData>({
      ok: result.ok,
      checked: result.checked,
      headSeq: result.head.seq,
      verifiedAt: result.verifiedAt.toISOString(),
      problem: result.problem && {
        kind: result.problem.kind,
        seq: result.problem.seq,
        message: result.problem.message,
      },
    });
  },
  { admin: true },
);
