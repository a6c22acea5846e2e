import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { ActivityEventRow } from "./schema";
import {
  chainHash,
  eventDigest,
  GENESIS_HASH,
  SQL_TEXT_DIGEST,
  scalarDigest,
  valueDigest,
  type JsonValue,
} from "./canonical";
import { jsonPointer } from "./pointer";
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

describe("canonical form v1, pinned", () => {
  // Digests of the first implementation (commit a4618b4): a faster digest must give exactly these, or every
  // chain sealed before it would fail verification.
  const row = {
    id: 7,
    workspaceId: "w-1",
    occurredAt: new Date("2026-11-30T12:34:56.789Z"),
    actorType: "user",
    actorId: "42",
    actorLabel: "Ada",
    action: "update",
    subject: "updated task Ünïcode ✓",
    recordType: "task",
    recordId: "991",
    related: [{ type: "project", id: "3" }],
    refs: ["project:3"],
    changes: [
      {
        id: "991",
        type: "task",
        op: "update",
        before: { title: "a", n: 1.5, ok: true, z: null },
        after: { title: "b/c~d", n: 2, ok: false, z: null },
      },
    ],
    metadata: { reason: "done" },
    requestId: "req-1",
    ip: null,
    userAgent: null,
    txId: 99999,
    unattributed: false,
    erased: null,
  } as unknown as ActivityEventRow;

  it("digests an event as version 1 did, with and without erased values", () => {
    expect(eventDigest(row)).toBe("c471468b7968574dc52b153921b4bd705063c4e6b4267e791ce3d286f8db9e48");
    const erased = {
      ...row,
      actorLabel: "erased",
      erased: { "/actor_label": "ab".repeat(32), "/changes/0/after/title~1x": "cd".repeat(32) },
    };
    expect(eventDigest(erased)).toBe("e7e0c01fe7bcaa20c9d41d0a29dca28ffc8adcfb645bd2799c2acabe8d3442e0");
  });
});
