import { eq, isNotNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "@/lib/db/demo-accounts";
import { comments, memberships, projects, tasks, users, workspaces } from "@/lib/db/schema";
import { allEvents } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { seedDemo, seedIfEmpty } from "./seed";

const t = setupTestDb();

describe("demo seed", () => {
  it("creates the three demo accounts with their roles and the shared password", async () => {
    await seedDemo(t.db);
    const rows = await t.db
      .select({ email: users.email, hash: users.passwordHash, workspace: workspaces.name, role: memberships.role })
      .from(users)
      .innerJoin(memberships, eq(memberships.userId, users.id))
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(isNotNull(users.passwordHash));
    expect(
      rows
        .map(({ email, workspace, role }) => ({ email, workspace, role }))
        .sort((a, b) => a.email.localeCompare(b.email)),
    ).toEqual(DEMO_ACCOUNTS.map(({ email, workspace, role }) => ({ email, workspace, role })));
    for (const row of rows) expect(await verifyPassword(DEMO_PASSWORD, row.hash)).toBe(true);
  });

  it("builds a believable history through withTracking: hundreds of events, weeks, several actors", async () => {
    await seedDemo(t.db);
    const events = await allEvents(t.db);
    expect(events.length).toBeGreaterThanOrEqual(200);
    expect(events.length).toBeLessThan(1000);
    expect(events.filter((e) => e.unattributed)).toEqual([]);
    const times = events.map((e) => e.occurredAt.getTime());
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(28 * 24 * 3600_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.now());
    for (const workspace of ["Acme", "Globex"]) {
      const [row] = await t.db.select().from(workspaces).where(eq(workspaces.name, workspace));
      const actors = new Set(events.filter((e) => e.workspaceId === String(row!.id)).map((e) => e.actorLabel));
      expect(actors.size).toBeGreaterThanOrEqual(2);
    }
    const cancelled = events.filter((e) => e.action === "task.cancelled");
    expect(cancelled.length).toBeGreaterThan(0);
    for (const e of cancelled) expect(e.metadata).toEqual({ reason: expect.any(String) });
    expect(new Set(events.map((e) => e.action))).toEqual(new Set(["insert", "update", "delete", "task.cancelled"]));
  });

  it("gives every workspace tasks of its own", async () => {
    await seedDemo(t.db);
    const all = await t.db
      .select({ workspace: workspaces.name })
      .from(tasks)
      .innerJoin(workspaces, eq(workspaces.id, tasks.workspaceId));
    expect(new Set(all.map((r) => r.workspace))).toEqual(new Set(["Acme", "Globex"]));
  });

  it("seeds an empty database once, and re-seeding replaces rather than duplicates", async () => {
    expect(await seedIfEmpty(t.db)).toBe(true);
    const first = (await allEvents(t.db)).length;
    const userCount = (await t.db.select().from(users)).length;
    expect(await seedIfEmpty(t.db)).toBe(false);
    await seedDemo(t.db);
    expect(await t.db.select().from(users)).toHaveLength(userCount);
    expect(await allEvents(t.db)).toHaveLength(first);
  });

  it("gives every seeded row the times of the events that wrote it", async () => {
    await seedDemo(t.db);
    const events = await allEvents(t.db);
    const writes = new Map<string, number[]>();
    for (const e of events) {
      if (e.action === "delete" || !e.recordType) continue;
      const key = `${e.recordType}:${e.recordId}`;
      writes.set(key, [...(writes.get(key) ?? []), e.occurredAt.getTime()]);
    }
    const rows = [
      ...(await t.db.select().from(projects)).map((r) => ({ ...r, key: `project:${r.id}` })),
      ...(await t.db.select().from(tasks)).map((r) => ({ ...r, key: `task:${r.id}` })),
      ...(await t.db.select().from(comments)).map((r) => ({ ...r, key: `comment:${r.id}` })),
    ];
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) {
      const times = writes.get(row.key);
      expect(times, row.key).toBeDefined();
      // Created by its first event, last written by its latest.
      expect({ key: row.key, createdAt: row.createdAt.getTime(), updatedAt: row.updatedAt.getTime() }).toEqual({
        key: row.key,
        createdAt: Math.min(...times!),
        updatedAt: Math.max(...times!),
      });
    }
    const first = Math.min(...events.map((e) => e.occurredAt.getTime()));
    for (const row of [...(await t.db.select().from(users)), ...(await t.db.select().from(workspaces))]) {
      expect(row.createdAt.getTime()).toBeLessThan(first);
    }
  });
});
