import type { z } from "zod";
import { ActivityError } from "./errors";

/** The actions every table has; their metadata is free-form but optional. */
export const BASE_ACTIONS = ["insert", "update", "delete", "revert"] as const;
/** The actions every catalogue has: `insert`, `update`, `delete`, `revert`. */
export type BaseAction = (typeof BASE_ACTIONS)[number];

export type Catalogue = Record<string, z.ZodType<Record<string, unknown>>>;

const VERB = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * The app's event verbs, declared once with the metadata each requires:
 * `defineCatalogue({ "task.cancelled": z.object({ reason: z.string().min(1) }) })`.
 * Verbs are dotted and past tense (`task.cancelled`), kept in an object, not a TS enum.
 */
export function defineCatalogue<const C extends Catalogue>(catalogue: C): C {
  for (const verb of Object.keys(catalogue)) {
    if (!VERB.test(verb) || (BASE_ACTIONS as readonly string[]).includes(verb)) {
      throw new ActivityError(
        "invalid_event",
        `"${verb}" is not a valid verb: use a dotted name like "task.cancelled".`,
      );
    }
  }
  return catalogue;
}

export type ActionOf<C extends Catalogue> = BaseAction | (keyof C & string);

/** Metadata any base action may carry. */
export interface BaseMetadata {
  reason?: string;
  comment?: string;
  [key: string]: unknown;
}

export type MetadataOf<C extends Catalogue, A> = A extends keyof C ? z.input<C[A]> : BaseMetadata;

/** True when the verb's metadata has a required key (so the options argument must be given). */
export type RequiresMetadata<C extends Catalogue, A> = A extends keyof C
  ? Record<string, never> extends z.input<C[A]>
    ? false
    : true
  : false;
