"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction } from "@/lib/actions";
import type { RevertConflict, RevertResult } from "@/lib/activity";
import { activity } from "@/lib/activity-kit";
import { viewerActor } from "@/lib/actor";
import { type ErrorCode, fail, ok } from "@/lib/result";

const revertSchema = z.object({
  eventId: z.coerce.number().int().positive(),
  // "on" when the admin confirmed overwriting the fields that changed since.
  force: z
    .enum(["on", "true"])
    .optional()
    .transform((v) => v !== undefined),
});

/** The kit's reasons to refuse a revert, as the app's error codes (the message says which). */
const REVERT_ERROR_CODES = {
  not_found: "not_found",
  conflict: "conflict",
  bad_request: "bad_request",
  parent_missing: "conflict",
  nothing_to_revert: "bad_request",
} as const satisfies Record<Extract<RevertResult, { ok: false }>["error"]["code"], ErrorCode>;

export type RevertActionData = { revertedEventId: number; recordHref: string | null };

/**
 * Reverts one event (admins only). On a conflict the result carries the fields with their current and
 * intended values; submitting again with `force` overwrites them.
 */
export const revertEventAction = formAction(
  revertSchema,
  async ({ eventId, force }, viewer) => {
    const result = await activity.revert(viewerActor(viewer), eventId, { force });
    if (!result.ok) {
      const failure = fail(REVERT_ERROR_CODES[result.error.code], result.error.message);
      const conflicts: RevertConflict[] = result.error.conflicts ?? [];
      return { ...failure, error: { ...failure.error, details: { conflicts } } };
    }
    const record = result.data.record;
    revalidatePath("/admin/audit", "layout");
    return ok({ revertedEventId: eventId, recordHref: record ? `/admin/audit/${record.type}/${record.id}` : null });
  },
  { admin: true },
);
