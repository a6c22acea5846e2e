import { generateKeyPairSync } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { openTestDb, setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { chainHash, eventDigest, GENESIS_HASH } from "./canonical";
import { checkpointKey, openCheckpointDocument, signCheckpoints, takeCheckpoint } from "./checkpoint";
import { rowsOf } from "./rows";
import { sequenceOnce } from "./sequencer";
import { allEvents } from "./testing/events";
import { notes } from "./testing/schema";
import { sequenceAll } from "./testing/sequence";
import { fixtureKit } from "./testing/tables";
import { verifyChain } from "./verify";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);
const onServer = inject("kitTestDatabase").kind === "postgres";

const alice: Actor = { type: "user", id: "alice", name: "Alice", workspaceId: 1 };
const carol: Actor = { type: "user", id: "carol", name: "Carol", workspaceId: 2 };

const addNote = (actor: Actor, title: string) =>
  kit.withTracking(actor, "insert", `note ${title}`, (tx) =>
    tx.insert(notes).values({ teamId: Number(actor.workspaceId), title }),
  );

/** Three events in workspace 1 and two in workspace 2, numbered and sealed; the ids of workspace 1's. */
async function history(): Promise<number[]> {
  for (const title of ["a", "b", "c"]) await addNote(alice, title);
  for (const title of ["x", "y"]) await addNote(carol, title);
  await sequenceAll(t.db);
  return (await allEvents(t.db)).filter((e) => e.workspaceId === "1").map((e) => e.id);
}

/**
 * Writes around the kit as the table's owner would: the append-only guard is a user trigger, so the owner
 * disables it for the statements (not the session flag, which append-only by privilege removes).
 */
async function tamper(...statements: SQL[]) {
  await t.db.transaction(async (tx) => {
    await tx.execute(sql`ALTER TABLE activity_events DISABLE TRIGGER USER`);
    for (const statement of statements) await tx.execute(statement);
    await tx.execute(sql`ALTER TABLE activity_events ENABLE TRIGGER USER`);
  });
}

const seals = async (workspaceId: string) =>
  rowsOf<{ seq: number; event_id: number; digest: string; hash: string }>(
    await t.db.execute(
      sql`select seq::int, event_id::int, digest, hash from activity_seals where workspace_id = ${workspaceId} order by seq`,
    ),
  );

const verify1 = () => verifyChain(t.db, "1", { sealingDelayMs: 20 });

describe("sealing", () => {
  it("seals every event in sequence order, each linked to the one before, per workspace", async () => {
    const ids = await history();
    const events = new Map((await allEvents(t.db)).map((e) => [e.id, e]));
    let prev = GENESIS_HASH;
    const chain = await seals("1");
    expect(chain.map((s) => s.event_id)).toEqual(ids);
    for (const seal of chain) {
      expect(seal.digest).toBe(eventDigest(events.get(seal.event_id)!));
      expect(seal.hash).toBe(chainHash({ prev, workspaceId: "1", seq: seal.seq, digest: seal.digest }));
      prev = seal.hash;
    }
    expect((await seals("2")).map((s) => s.seq)).toEqual([1, 2]);
    expect(await verify1()).toMatchObject({ ok: true, checked: 3, from: 1, head: { seq: 3, hash: prev } });
    expect(await verifyChain(t.db, "2")).toMatchObject({ ok: true, checked: 2 });
  });

  it("continues the chain across ticks from the last seal", async () => {
    await addNote(alice, "a");
    await sequenceAll(t.db);
    await addNote(alice, "b");
    await sequenceAll(t.db);
    expect(await verify1()).toMatchObject({ ok: true, checked: 2 });
  });

  it("seals a log numbered without sealing when a tick catches up", async () => {
    await addNote(alice, "a");
    await addNote(alice, "b");
    await sequenceOnce(t.db, { seal: false });
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "inserted", seq: 1 } });
    await sequenceOnce(t.db, { catchUp: true });
    expect(await verify1()).toMatchObject({ ok: true, checked: 2 });
  });

  it("takes a periodic checkpoint every N events", async () => {
    for (const title of ["a", "b", "c", "d", "e"]) {
      await addNote(alice, title);
      await sequenceOnce(t.db, { checkpoints: { events: 2 } });
    }
    const rows = rowsOf<{ seq: number; kind: string }>(
      await t.db.execute(sql`select seq::int, kind from activity_checkpoints where workspace_id = '1' order by id`),
    );
    expect(rows).toEqual([
      { seq: 1, kind: "periodic" },
      { seq: 3, kind: "periodic" },
      { seq: 5, kind: "periodic" },
    ]);
  });

  it.runIf(onServer)("does not fork when two app instances tick at once", async () => {
    const other = await openTestDb({ database: "kit" });
    try {
      const writes = Array.from({ length: 40 }, (_, i) => addNote(i % 2 ? alice : carol, `n${i}`));
      const ticks = (db: typeof t.db) =>
        (async () => {
          for (let i = 0; i < 30; i++) await sequenceOnce(db);
        })();
      await Promise.all([...writes, ticks(t.db), ticks(other.db)]);
      await sequenceAll(t.db);
      expect(await verify1()).toMatchObject({ ok: true, checked: 20 });
      expect(await verifyChain(t.db, "2")).toMatchObject({ ok: true, checked: 20 });
    } finally {
      await other.close();
    }
  });
});

describe("verify names the first broken event", () => {
  it("edited: an event changed after its seal", async () => {
    const [, second] = await history();
    await tamper(sql`UPDATE activity_events SET actor_label = 'Mallory' WHERE id = ${second}`);
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "edited", seq: 2, eventId: second } });
    expect(await verifyChain(t.db, "2")).toMatchObject({ ok: true });
  });

  it("edited: a wrong erasure digest does not pass for the removed value", async () => {
    const [first] = await history();
    await tamper(
      sql`UPDATE activity_events SET actor_label = 'erased', erased = '{"/actor_label": "${sql.raw("0".repeat(64))}"}' WHERE id = ${first}`,
    );
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "edited", eventId: first } });
  });

  it("deleted: a sealed event's row is gone", async () => {
    const [, second] = await history();
    await tamper(sql`DELETE FROM activity_events WHERE id = ${second}`);
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "deleted", seq: 2, eventId: second } });
  });

  it("edited: an event moved to another month is still found (by workspace and id) and named as edited", async () => {
    const [, second] = await history();
    await tamper(sql`UPDATE activity_events SET occurred_at = '2001-01-01T00:00:00Z' WHERE id = ${second}`);
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "edited", seq: 2, eventId: second } });
  });

  it("deleted: a number whose time no event has ('-infinity', the kit update's for an event already gone)", async () => {
    const [, second] = await history();
    await tamper(
      sql`DELETE FROM activity_events WHERE id = ${second}`,
      sql`UPDATE activity_sequence SET occurred_at = '-infinity' WHERE event_id = ${second}`,
    );
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "deleted", seq: 2, eventId: second } });
  });

  it("deleted: event, number and seal gone together leave a gap, or a head past the chain", async () => {
    const [, second, third] = await history();
    await tamper(
      sql`DELETE FROM activity_events WHERE id = ${second}`,
      sql`DELETE FROM activity_sequence WHERE event_id = ${second}`,
      sql`DELETE FROM activity_seals WHERE event_id = ${second}`,
    );
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "deleted", seq: 2 } });
    await tamper(
      sql`DELETE FROM activity_events WHERE id = ${third}`,
      sql`DELETE FROM activity_sequence WHERE event_id = ${third}`,
      sql`DELETE FROM activity_seals WHERE event_id = ${third}`,
    );
    // Now the tail is gone: only the head still says there were three.
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "deleted", seq: 2 } });
  });

  it("a removal that activity_removals records is not a deletion", async () => {
    const [first] = await history();
    // As retention leaves it: the row and its number gone, the removal recorded, the seal kept.
    await tamper(
      sql`DELETE FROM activity_events WHERE id = ${first}`,
      sql`DELETE FROM activity_sequence WHERE event_id = ${first}`,
      sql`INSERT INTO activity_removals (workspace_id, event_id, seq, reason) VALUES ('1', ${first}, 1, 'retention')`,
    );
    expect(await verify1()).toMatchObject({ ok: true, checked: 3 });
  });

  it("inserted: an event written around the sequencer, never numbered", async () => {
    await history();
    const [row] = rowsOf<{ id: number }>(
      await t.db.execute(sql`INSERT INTO activity_events (workspace_id, actor_type, actor_label, action, subject, tx_id)
        VALUES ('1', 'user', 'Mallory', 'insert', 'forged', 1) RETURNING id::int`),
    );
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "inserted", seq: null, eventId: row!.id } });
  });

  it("inserted: a number without a seal, past the sealing delay", async () => {
    await history();
    const [row] = rowsOf<{ id: number }>(
      await t.db.execute(sql`INSERT INTO activity_events (workspace_id, actor_type, actor_label, action, subject, tx_id)
        VALUES ('1', 'user', 'Mallory', 'insert', 'forged', 1) RETURNING id::int`),
    );
    await t.db.execute(
      sql`INSERT INTO activity_sequence (workspace_id, seq, event_id, occurred_at) SELECT '1', 4, id, occurred_at FROM activity_events WHERE id = ${row!.id}`,
    );
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "inserted", seq: 4, eventId: row!.id } });
  });

  it("inserted: a seal that does not link to the one before", async () => {
    const [, second] = await history();
    const [row] = rowsOf<{ id: number }>(
      await t.db.execute(sql`INSERT INTO activity_events (workspace_id, actor_type, actor_label, action, subject, tx_id)
        VALUES ('1', 'user', 'Mallory', 'insert', 'forged', 1) RETURNING id::int`),
    );
    const [forged] = (await allEvents(t.db)).filter((e) => e.id === row!.id);
    // A seal for the forged event at number 2, its digest right, its hash over the wrong predecessor.
    await tamper(
      sql`UPDATE activity_sequence SET event_id = ${row!.id} WHERE workspace_id = '1' AND seq = 2`,
      sql`UPDATE activity_seals SET event_id = ${row!.id}, digest = ${eventDigest(forged!)},
            hash = ${chainHash({ prev: GENESIS_HASH, workspaceId: "1", seq: 2, digest: eventDigest(forged!) })}
          WHERE workspace_id = '1' AND seq = 2`,
      sql`DELETE FROM activity_events WHERE id = ${second}`,
    );
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "inserted", seq: 2, eventId: row!.id } });
  });

  it("reordered: two numbers swapped in the log", async () => {
    const [first, second] = await history();
    await tamper(
      sql`UPDATE activity_sequence SET seq = -1 WHERE event_id = ${first}`,
      sql`UPDATE activity_sequence SET seq = 1 WHERE event_id = ${second}`,
      sql`UPDATE activity_sequence SET seq = 2 WHERE event_id = ${first}`,
    );
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "reordered", seq: 1, eventId: second } });
  });

  it("reordered: numbers and seals swapped together", async () => {
    const [, second, third] = await history();
    const swap = (table: string) => [
      sql`UPDATE ${sql.identifier(table)} SET seq = -1 WHERE event_id = ${second}`,
      sql`UPDATE ${sql.identifier(table)} SET seq = 2 WHERE event_id = ${third}`,
      sql`UPDATE ${sql.identifier(table)} SET seq = 3 WHERE event_id = ${second}`,
    ];
    await tamper(...swap("activity_sequence"), ...swap("activity_seals"));
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "reordered", seq: 2, eventId: third } });
  });

  it("reordered: contents moved between seals that kept their hashes", async () => {
    const [first, second] = await history();
    const [a, b] = await seals("1");
    await tamper(
      sql`UPDATE activity_sequence SET seq = -1 WHERE event_id = ${first}`,
      sql`UPDATE activity_sequence SET seq = 1 WHERE event_id = ${second}`,
      sql`UPDATE activity_sequence SET seq = 2 WHERE event_id = ${first}`,
      sql`UPDATE activity_seals SET event_id = ${second}, digest = ${b!.digest} WHERE workspace_id = '1' AND seq = 1`,
      sql`UPDATE activity_seals SET event_id = ${first}, digest = ${a!.digest} WHERE workspace_id = '1' AND seq = 2`,
    );
    expect(await verify1()).toMatchObject({ ok: false, problem: { kind: "reordered", seq: 1, eventId: second } });
  });

  it("reads the chain in batches smaller than the log", async () => {
    const [, second] = await history();
    expect(await verifyChain(t.db, "1", { batch: 1 })).toMatchObject({ ok: true, checked: 3 });
    await tamper(sql`UPDATE activity_events SET subject = 'changed' WHERE id = ${second}`);
    expect(await verifyChain(t.db, "1", { batch: 1 })).toMatchObject({ problem: { kind: "edited", eventId: second } });
  });
});

describe("checkpoints", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const signer = checkpointKey({ privateKey: String(privateKey.export({ type: "pkcs8", format: "pem" })) });
  const offline = checkpointKey({ publicKey: String(publicKey.export({ type: "spki", format: "pem" })) });

  it("a signed checkpoint verifies offline with the public key, and not once changed", async () => {
    await history();
    const doc = signCheckpoints([await takeCheckpoint(t.db, "1")], signer);
    expect(doc.checkpoints).toEqual([expect.objectContaining({ workspaceId: "1", seq: 3, count: 3 })]);
    const copy = JSON.parse(JSON.stringify(doc));
    expect(openCheckpointDocument(copy, offline).checkpoints[0]!.seq).toBe(3);
    copy.checkpoints[0].seq = 2;
    expect(() => openCheckpointDocument(copy, offline)).toThrow(/signature does not verify/);
    expect(() => openCheckpointDocument(doc, checkpointKey({ secret: "another-secret-of-length" }))).toThrow(
      /signed with ed25519/,
    );
    expect(() => offline.sign("x")).toThrow(/needs the private key/);
  });

  it("HMAC with the kit's secret when no key is configured", async () => {
    await history();
    const key = checkpointKey({ secret: "fixture-secret-of-some-length" });
    const doc = signCheckpoints([await takeCheckpoint(t.db, "1")], key);
    expect(doc.signature.alg).toBe("hmac-sha256");
    expect(openCheckpointDocument(doc, key).checkpoints).toHaveLength(1);
    expect(() => openCheckpointDocument(doc, checkpointKey({ secret: "another-secret-of-length" }))).toThrow();
  });

  it("reveals a truncated tail and rewritten history that the chain alone cannot", async () => {
    const [, , third] = await history();
    const checkpoint = await takeCheckpoint(t.db, "1");
    expect(await verifyChain(t.db, "1", { checkpoint })).toMatchObject({ ok: true, checkpoint: { status: "found" } });

    // Rewritten: the last event changed and its seal recomputed, consistently. The chain alone verifies.
    await tamper(sql`UPDATE activity_events SET subject = 'rewritten' WHERE id = ${third}`);
    const [edited] = (await allEvents(t.db)).filter((e) => e.id === third);
    const [, b] = await seals("1");
    const digest = eventDigest(edited!);
    await t.db.execute(sql`UPDATE activity_seals SET digest = ${digest},
        hash = ${chainHash({ prev: b!.hash, workspaceId: "1", seq: 3, digest })} WHERE workspace_id = '1' AND seq = 3`);
    expect(await verify1()).toMatchObject({ ok: true });
    expect(await verifyChain(t.db, "1", { checkpoint })).toMatchObject({
      ok: false,
      problem: { kind: "rewritten", seq: 3 },
    });

    // Truncated: the tail removed with its number, seal and head.
    await tamper(
      sql`DELETE FROM activity_events WHERE id = ${third}`,
      sql`DELETE FROM activity_sequence WHERE event_id = ${third}`,
      sql`DELETE FROM activity_seals WHERE event_id = ${third}`,
      sql`UPDATE activity_heads SET seq = 2 WHERE workspace_id = '1'`,
    );
    expect(await verify1()).toMatchObject({ ok: true, checked: 2 });
    expect(await verifyChain(t.db, "1", { checkpoint })).toMatchObject({
      ok: false,
      problem: { kind: "truncated", seq: 3 },
    });
  });

  it("verify starts from the latest retention anchor", async () => {
    const [first, second] = await history();
    await takeCheckpoint(t.db, "1", "retention", { seq: 2 });
    // Retention that dropped whole partitions: events, numbers and seals up to the anchor are gone.
    await tamper(
      sql`DELETE FROM activity_events WHERE id IN (${first}, ${second})`,
      sql`DELETE FROM activity_sequence WHERE event_id IN (${first}, ${second})`,
      sql`DELETE FROM activity_seals WHERE event_id IN (${first}, ${second})`,
    );
    expect(await verify1()).toMatchObject({ ok: true, from: 3, checked: 1 });
    await addNote(alice, "d");
    await sequenceAll(t.db);
    expect(await verify1()).toMatchObject({ ok: true, checked: 2, head: { seq: 4 } });
  });
});
