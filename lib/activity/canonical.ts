import * as crypto from "node:crypto";
import { jsonPointer } from "./pointer";
import type { ActivityEventRow } from "./schema";

/**
 * The canonical form of an event, version 1: what the hash chain covers, and how.
 *
 * An event's digest is a Merkle digest of its content, not a hash of its bytes: every value digests on its
 * own, and objects and arrays digest the digests of their members. So erasing a personal value (a name in
 * `actor_label`, an email in a diff) can replace it while keeping the digest it had (`erased`, by JSON
 * pointer), and the event still verifies, with every other field still proven.
 *
 * - A scalar: sha256 of a tag and its text: `s:` + the string, `n:` + the number as JSON writes it,
 *   `b:true` / `b:false`, `z:` for null. (The tag keeps `"1"` and `1` apart.)
 * - An array: sha256 of `[` + its items' digests joined by `,` + `]`.
 * - An object: sha256 of `{` + `<digest of the key as a string>:<digest of the value>` for each key in
 *   code-unit order, joined by `,` + `}`.
 * - Digests are lowercase hex. A value at a pointer listed in `erased` digests as the digest recorded there.
 *
 * The event is the object of its stored columns by their SQL names (EVENT_FIELDS), `occurred_at` as an ISO
 * 8601 UTC string with milliseconds. `erased` itself is not covered: it only says which digests stand in for
 * removed values, and a wrong one fails verification.
 *
 * Numbers inside jsonb pass through JavaScript: beyond 2^53 they are compared as JavaScript reads them.
 */
export const CANONICAL_VERSION = 1;

/** The columns of `activity_events` an event's digest covers, by their SQL names. */
export const EVENT_FIELDS = [
  "id",
  "workspace_id",
  "occurred_at",
  "actor_type",
  "actor_id",
  "actor_label",
  "action",
  "subject",
  "record_type",
  "record_id",
  "related",
  "refs",
  "changes",
  "metadata",
  "request_id",
  "ip",
  "user_agent",
  "tx_id",
  "unattributed",
] as const;

export type EventField = (typeof EVENT_FIELDS)[number];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Digests of erased values, by JSON pointer into the event (`/actor_label`, `/changes/0/after/email`). */
export type ErasedDigests = Readonly<Record<string, string>>;

/** The hash before a workspace's first event. */
export const GENESIS_HASH = "0".repeat(64);

// The sequencer digests every event, each a few dozen hashes of short strings: crypto.hash (Node 20.12+)
// does one about five times faster than a Hash object.
const oneShot = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;
const sha256 = oneShot
  ? (text: string) => oneShot("sha256", text)
  : (text: string) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

// Object keys repeat in every event (`before`, `after`, the columns of a table): their digests are kept.
const keyDigests = new Map<string, string>();
const KEY_DIGESTS_MAX = 10_000;
function keyDigest(key: string): string {
  let digest = keyDigests.get(key);
  if (digest === undefined) {
    digest = scalarDigest(key);
    if (keyDigests.size >= KEY_DIGESTS_MAX) keyDigests.clear();
    keyDigests.set(key, digest);
  }
  return digest;
}

/** The digest of one scalar. */
export function scalarDigest(value: null | boolean | number | string): string {
  if (value === null) return sha256("z:");
  switch (typeof value) {
    case "string":
      return sha256(`s:${value}`);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`Not a JSON number: ${value}`);
      return sha256(`n:${JSON.stringify(value)}`);
    case "boolean":
      return sha256(`b:${value}`);
  }
}

/** valueDigest with nothing erased: the common case, without building a pointer for every value. */
function plainDigest(value: JsonValue | undefined): string {
  if (value === undefined || value === null || typeof value !== "object") return scalarDigest(value ?? null);
  if (Array.isArray(value)) return sha256(`[${value.map((item) => plainDigest(item)).join(",")}]`);
  const keys = Object.keys(value).sort();
  return sha256(`{${keys.map((k) => `${keyDigest(k)}:${plainDigest(value[k])}`).join(",")}}`);
}

/** The digest of a JSON value; `erased` digests stand in for the values at their pointers below `path`. */
export function valueDigest(value: JsonValue | undefined, erased: ErasedDigests = {}, path = ""): string {
  if (path === "" && Object.keys(erased).length === 0) return plainDigest(value);
  const stand = erased[path];
  if (stand !== undefined && path !== "") return stand;
  if (value === undefined || value === null || typeof value !== "object") return scalarDigest(value ?? null);
  if (Array.isArray(value)) {
    return sha256(`[${value.map((item, i) => valueDigest(item, erased, `${path}${jsonPointer(i)}`)).join(",")}]`);
  }
  const keys = Object.keys(value).sort();
  const members = keys.map((k) => `${keyDigest(k)}:${valueDigest(value[k], erased, `${path}${jsonPointer(k)}`)}`);
  return sha256(`{${members.join(",")}}`);
}

/** An event as the canonical form sees it: its covered columns by SQL name, as JSON values. */
export function canonicalEvent(row: ActivityEventRow): Record<EventField, JsonValue> {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    occurred_at: new Date(row.occurredAt).toISOString(),
    actor_type: row.actorType,
    actor_id: row.actorId,
    actor_label: row.actorLabel,
    action: row.action,
    subject: row.subject,
    record_type: row.recordType,
    record_id: row.recordId,
    related: row.related as unknown as JsonValue,
    refs: row.refs,
    changes: row.changes as unknown as JsonValue,
    metadata: row.metadata as JsonValue,
    request_id: row.requestId,
    ip: row.ip,
    user_agent: row.userAgent,
    tx_id: row.txId,
    unattributed: row.unattributed,
  };
}

/** The digest of a stored event (its `erased` digests standing in for what erasure removed). */
export function eventDigest(row: ActivityEventRow): string {
  return valueDigest(canonicalEvent(row), row.erased ?? {});
}

/**
 * The chain link: the hash of the event numbered `seq` in its workspace's log, over the previous event's
 * hash (GENESIS_HASH for the first, or the hash a retention checkpoint anchored).
 */
export function chainHash(link: { prev: string; workspaceId: string; seq: number; digest: string }): string {
  return sha256(
    [
      `activity-kit/chain/v${CANONICAL_VERSION}`,
      link.prev,
      scalarDigest(link.workspaceId),
      String(link.seq),
      link.digest,
    ].join("\n"),
  );
}

/**
 * The SQL expression that digests a text value as `scalarDigest` does (null as JSON null): for routines that
 * erase inside the database, such as the one that forgets a deleted actor.
 */
export const SQL_TEXT_DIGEST = (expression: string) =>
  `CASE WHEN (${expression}) IS NULL THEN encode(sha256(convert_to('z:', 'UTF8')), 'hex') ELSE encode(sha256(convert_to('s:' || (${expression}), 'UTF8')), 'hex') END`;
