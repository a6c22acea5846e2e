import { z } from "zod";

/** A form's optional id select: "" means none. */
export const optionalId = z
  .union([z.literal(""), z.coerce.number().int().positive()])
  .optional()
  .transform((v) => (v === "" || v === undefined ? null : v));

export const requiredId = z.coerce.number().int().positive();

/** A form's optional date input (YYYY-MM-DD): "" means none. */
export const optionalDate = z
  .union([z.literal(""), z.iso.date({ message: "Enter a date as YYYY-MM-DD." })])
  .optional()
  .transform((v) => (v ? v : null));

export const title = (what: string, max = 200) =>
  z.string().trim().min(1, `${what} is required.`).max(max, `${what} must be at most ${max} characters.`);

/** A record id from a URL segment, or null when it is not a positive integer (the page then 404s). */
export function parseRouteId(segment: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(segment)) return null;
  const id = Number(segment);
  return id <= 2_147_483_647 ? id : null;
}

export const idSchema = z.object({ id: requiredId });
