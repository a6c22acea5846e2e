import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import {
  chainHash,
  GENESIS_HASH,
  jsonPointer,
  SQL_TEXT_DIGEST,
  scalarDigest,
  valueDigest,
  type JsonValue,
} from "./canonical";
import { rowsOf } from "./rows";

const t = setupTestDb({ database: "kit" });
const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("the canonical form, version 1", () => {
  it("digests scalars by tag and text, as documented", () => {
    expect(scalarDigest("abc")).toBe(sha("s:abc"));
    expect(scalarDigest(1)).toBe(sha("n:1"));
    expect(scalarDigest(true)).toBe(sha("b:true"));
    expect(scalarDigest(null)).toBe(sha("z:"));
    expect(scalarDigest("1")).not.toBe(scalarDigest(1));
  });

  it("digests objects by their members, in code-unit order of keys, and arrays in order", () => {
    expect(valueDigest({ b: 1, a: [true, null] })).toBe(valueDigest({ a: [true, null], b: 1 }));
    const array = sha(`[${scalarDigest(true)},${scalarDigest(null)}]`);
    expect(valueDigest({ a: [true, null] })).toBe(sha(`{${scalarDigest("a")}:${array}}`));
    expect(valueDigest([1, 2])).not.toBe(valueDigest([2, 1]));
  });

  it("changes when any value anywhere changes", () => {
    const event: JsonValue = { actor_label: "Alice", changes: [{ after: { email: "a@example.com", n: 1 } }] };
    const edited: JsonValue = { actor_label: "Alice", changes: [{ after: { email: "a@example.com", n: 2 } }] };
    expect(valueDigest(edited)).not.toBe(valueDigest(event));
  });

  it("keeps an event's digest when an erased value is replaced and its digest recorded", () => {
    const event = { actor_label: "Alice", changes: [{ after: { email: "a@example.com", n: 1 } }] };
    const path = jsonPointer("changes", 0, "after", "email");
    const erased = { ...event, changes: [{ after: { email: null, n: 1 } }] };
    expect(valueDigest(erased, { [path]: scalarDigest("a@example.com") })).toBe(valueDigest(event));
    // A wrong digest, or another field edited alongside, does not verify.
    expect(valueDigest(erased, { [path]: scalarDigest("b@example.com") })).not.toBe(valueDigest(event));
    const tampered = { ...event, changes: [{ after: { email: null, n: 9 } }] };
    expect(valueDigest(tampered, { [path]: scalarDigest("a@example.com") })).not.toBe(valueDigest(event));
  });

  it("escapes pointers as RFC 6901 does", () => {
    expect(jsonPointer("a/b", "c~d", 0)).toBe("/a~1b/c~0d/0");
  });

  it("links each hash to the previous one, the workspace and the number", () => {
    const digest = valueDigest({ id: 1 });
    const first = chainHash({ prev: GENESIS_HASH, workspaceId: "7", seq: 1, digest });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash({ prev: GENESIS_HASH, workspaceId: "8", seq: 1, digest })).not.toBe(first);
    expect(chainHash({ prev: GENESIS_HASH, workspaceId: "7", seq: 2, digest })).not.toBe(first);
    expect(chainHash({ prev: first, workspaceId: "7", seq: 1, digest })).not.toBe(first);
  });

  it("digests text in SQL exactly as in JavaScript", async () => {
    const texts = ["", "Alice Adams", 'Zoë 🚀 "quoted" \\ back', "line\nbreak\ttab", "日本語", "it's"];
    for (const text of texts) {
      const [row] = rowsOf<{ digest: string }>(
        await t.db.execute(sql.raw(`select ${SQL_TEXT_DIGEST(`'${text.replaceAll("'", "''")}'::text`)} as digest`)),
      );
      expect(row?.digest, text).toBe(scalarDigest(text));
    }
    const [none] = rowsOf<{ digest: string }>(
      await t.db.execute(sql.raw(`select ${SQL_TEXT_DIGEST("null::text")} as digest`)),
    );
    expect(none?.digest).toBe(scalarDigest(null));
  });
});
