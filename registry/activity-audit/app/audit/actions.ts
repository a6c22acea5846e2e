"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { RevertFormState } from "@/components/audit/revert-form";
import { ActivityError } from "@/lib/activity";
import { withActivityRequest } from "@/lib/activity/next";
import { activity } from "@/lib/activity-kit";

/*
 * The audit log's server action (installed as app/audit/actions.ts by the `activity-audit` item).
 */

const revertSchema = z.object({
  eventId: z.coerce.number().int().positive(),
  // "on" when the auditor confirmed overwriting the fields that changed since.
  force: z.enum(["on", "true"]).optional(),
  // Why the change is undone (optional): stored in the revert event's metadata.
  reason: z.string().trim().max(500).optional(),
});

/**
 * Reverts one event for a viewer with `canAudit`. On a conflict the result carries the fields with their
 * current and intended values; submitting again with `force=on` overwrites them.
 */
export async function revertEventAction(
  _previous: RevertFormState | null,
  formData: FormData,
): Promise<RevertFormState> {
  const viewer = await activity.viewer();
  if (!viewer?.canAudit) return { ok: false, error: { code: "forbidden", message: "You may not revert changes." } };
  const parsed = revertSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success)
    return {
      ok: false,
      error: {
        code: "invalid_input",
        message: "That is not an event to revert, or the reason is over 500 characters.",
      },
    };
  try {
    const result = await withActivityRequest(viewer.actor, () =>
      activity.revert(viewer.actor, parsed.data.eventId, {
        force: parsed.data.force !== undefined,
        reason: parsed.data.reason || undefined,
      }),
    );
    if (!result.ok) {
      const { code, message, conflicts = [] } = result.error;
      return { ok: false, error: { code, message, details: { conflicts } } };
    }
    revalidatePath("/audit", "layout");
    const record = result.data.record;
    return { ok: true, data: { recordHref: record ? `/audit/${record.type}/${record.id}` : null } };
  } catch (error) {
    if (error instanceof ActivityError) return { ok: false, error: { code: error.code, message: error.message } };
    throw error;
  }
}
