import { z } from "zod";

/** The largest value of a PostgreSQL `integer`, the type of every id of the demo's tables. */
export const MAX_ID = 2_147_483_647;

const ID_MESSAGE = "Choose one from the list.";

/** A decimal digit string of a positive integer no larger than `max`; anything else (`0x10`, ` 12 `, `1e3`) is refused. */
export const decimalId = (max = MAX_ID, message = ID_MESSAGE) =>
  z
    .union([z.string(), z.number()], { message })
    .transform((v) => String(v))
    .refine((v) => /^[1-9]\d{0,15}$/.test(v) && Number(v) <= max, { message })
    .transform(Number);

/** A form's optional id select: "" means none. */
export const optionalId = z
  .union([z.literal(""), z.null(), decimalId()], { message: ID_MESSAGE })
  .optional()
  .transform((v) => (v === "" || v === undefined || v === null ? null : v));

/** The id of the record a form is about (a hidden input). */
export const requiredId = decimalId(MAX_ID, "This form names a record that does not exist: reload the page.");

const NUL = "\u0000";

/** Text a person typed: PostgreSQL cannot store a NUL character in `text`, so it is a field error, not a failed query. */
export const plainText = () => z.string().refine((v) => !v.includes(NUL), { message: "Remove the NUL character." });

/** A form's optional date input (YYYY-MM-DD, years 1 to 9999): "" means none. */
export const optionalDate = z
  .union([
    z.literal(""),
    z.iso
      .date({ message: "Enter a date as YYYY-MM-DD." })
      .refine((v) => v.slice(0, 4) !== "0000", { message: "Enter a date between the years 1 and 9999." }),
  ])
  .optional()
  .transform((v) => (v ? v : null));

export const title = (what: string, max = 200) =>
  plainText().trim().min(1, `${what} is required.`).max(max, `${what} must be at most ${max} characters.`);

/** A record id from a URL segment, or null when it is not a positive integer (the page then 404s). */
export function parseRouteId(segment: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(segment)) return null;
  const id = Number(segment);
  return id <= MAX_ID ? id : null;
}

export const idSchema = z.object({ id: requiredId });
