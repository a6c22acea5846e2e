import { eq, sql } from "drizzle-orm";
import { integer, pgTable, text } from "drizzle-orm/pg-core";
import { beforeEach, describe, expect, it } from "vitest";
import { trackedTables } from "@/lib/activity-kit";
import { comments, projects, tasks } from "@/lib/db/schema";
import { allEvents, testKit, unattributedEvents } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import type { Actor } from "./actor";
import { runWithActivityContext } from "./context";
import { checkCoverage } from "./coverage";
import { trackTable } from "./registry";
import { activityEvents } from "./schema";
import { tableTriggerStatements } from "./sql";

const t = setupTestDb();
const kit = testKit(() => t.db);

let alice: Actor & { type: "user" };
let workspaceId: number;

beforeEach(async () => {
  const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin"]);
  workspaceId = workspace.id;
  alice = { type: "user", id: members[0]!.id, name: "Alice Adams", workspaceId };
});

describe("changes made outside withTracking", () => {
  it("are captured row by row as unattributed events, for bulk statements too", async () => {
    await t.db.execute(
      sql`INSERT INTO tasks (workspace_id, title) VALUES (${workspaceId}, 'a'), (${workspaceId}, 'b'), (${workspaceId}, 'c')`,
    );
    await t.db.execute(sql`UPDATE tasks SET status = 'done' WHERE title IN ('a', 'b')`);
    await t.db.execute(sql`UPDATE tasks SET status = status`); // changes nothing: stores nothing
    await t.db.execute(sql`DELETE FROM tasks WHERE title = 'c'`);
    const events = await unattributedEvents(t.db);
    expect(events.map((e) => [e.action, e.subject])).toEqual([
      ["insert", "task a"],
      ["insert", "task b"],
      ["insert", "task c"],
      ["update", "task a"],
      ["update", "task b"],
      ["delete", "task c"],
    ]);
    expect(events.every((e) => e.workspaceId === String(workspaceId) && e.actorType === "database")).toBe(true);
    expect(events[3]!.changes).toEqual([
      { type: "task", id: "1", op: "update", changes: { status: ["todo", "done"] } },
    ]);
    expect(await allEvents(t.db)).toHaveLength(6);
  });

  it("raw SQL inside withTracking joins the event of its transaction", async () => {
    await kit.withTracking(alice, "update", "renamed by hand", async (tx) => {
      await tx.insert(tasks).values({ workspaceId, title: "typed" });
      await tx.execute(sql`UPDATE tasks SET title = 'raw' WHERE title = 'typed'`);
    });
    const events = await allEvents(t.db);
    expect(events).toHaveLength(1);
    expect(events[0]!.changes.map((c) => c.op)).toEqual(["insert", "update"]);
  });

  it("a bulk statement inside withTracking puts every row's change in the one event", async () => {
    await t.db.execute(
      sql`INSERT INTO tasks (workspace_id, title) SELECT ${workspaceId}, 'bulk ' || g FROM generate_series(1, 1500) AS g`,
    );
    await kit.withTracking(alice, "update", "closed them all", (tx) =>
      tx.execute(sql`UPDATE tasks SET status = 'done'`),
    );
    const [event] = await t.db.select().from(activityEvents).where(eq(activityEvents.unattributed, false));
    expect(event!.changes).toHaveLength(1500);
    expect(new Set(event!.changes.map((c) => c.id)).size).toBe(1500);
    expect(event!.changes.every((c) => c.op === "update" && c.changes.status?.[1] === "done")).toBe(true);
  });

  it("deleting a parent records the cascaded deletions of its children", async () => {
    const [project] = await t.db.insert(projects).values({ workspaceId, name: "Doomed" }).returning();
    const [task] = await t.db
      .insert(tasks)
      .values({ workspaceId, projectId: project!.id, title: "Inside" })
      .returning();
    const [comment] = await t.db.insert(comments).values({ workspaceId, taskId: task!.id, body: "hi" }).returning();
    await kit.withTracking(alice, "delete", "project Doomed", (tx) =>
      tx.delete(projects).where(eq(projects.id, project!.id)),
    );

    const [event] = await t.db.select().from(activityEvents).where(eq(activityEvents.unattributed, false));
    expect(event).toMatchObject({ recordType: "project", recordId: String(project!.id) });
    expect(event!.changes.map((c) => `${c.op} ${c.type}:${c.id}`).sort()).toEqual(
      [`delete comment:${comment!.id}`, `delete project:${project!.id}`, `delete task:${task!.id}`].sort(),
    );
    expect(event!.refs).toEqual([`comment:${comment!.id}`, `task:${task!.id}`]);
    // The child's history shows how it ended.
    const history = await kit.history({ type: "task", id: String(task!.id) }, { workspaceId });
    expect(history.map((e) => [e.action, e.unattributed])).toEqual([
      ["insert", true],
      ["delete", false],
    ]);
  });

  it("redacts the columns a registration names, at capture", async () => {
    await t.db.execute(
      sql`CREATE TABLE api_tokens (id integer PRIMARY KEY, workspace_id integer NOT NULL, name text NOT NULL, secret text NOT NULL)`,
    );
    const apiTokens = pgTable("api_tokens", {
      id: integer("id").primaryKey(),
      workspaceId: integer("workspace_id").notNull(),
      name: text("name").notNull(),
      secret: text("secret").notNull(),
    });
    const registration = trackTable(apiTokens, {
      type: "api_token",
      workspace: apiTokens.workspaceId,
      label: apiTokens.name,
      redact: [apiTokens.secret],
    });
    for (const statement of tableTriggerStatements(registration)) await t.db.execute(sql.raw(statement));
    try {
      await t.db.execute(sql`INSERT INTO api_tokens VALUES (1, ${workspaceId}, 'ci', 'tok_live_123')`);
      await t.db.execute(sql`UPDATE api_tokens SET secret = 'tok_live_456', name = 'ci bot'`);
      const events = await unattributedEvents(t.db);
      expect(JSON.stringify(events)).not.toMatch(/tok_live/);
      expect(events[0]!.changes).toEqual([
        {
          type: "api_token",
          id: "1",
          op: "insert",
          row: { id: 1, workspace_id: workspaceId, name: "ci", secret: "[redacted]" },
        },
      ]);
      expect(events[1]!.changes).toEqual([
        {
          type: "api_token",
          id: "1",
          op: "update",
          changes: { name: ["ci", "ci bot"], secret: ["[redacted]", "[redacted]"] },
        },
      ]);
    } finally {
      await t.db.execute(sql`DROP TABLE api_tokens`);
    }
  });
});

describe("the events table is append-only", () => {
  it("refuses UPDATE, DELETE and TRUNCATE", async () => {
    await t.db.insert(tasks).values({ workspaceId, title: "x" });
    const refused = /append-only/;
    for (const statement of [
      sql`UPDATE activity_events SET subject = 'forged'`,
      sql`DELETE FROM activity_events`,
      sql`TRUNCATE activity_events`,
    ]) {
      const error = await t.db.execute(statement).catch((e: unknown) => e);
      expect(String((error as Error).cause ?? error)).toMatch(refused);
    }
    expect((await allEvents(t.db)).map((e) => e.subject)).toEqual(["task x"]);
  });
});

describe("actors", () => {
  it("keep their name as it was; a deleted user's events stay readable with the link removed", async () => {
    const { members } = await createWorkspace(t.db, "Other", ["member"]);
    const bob: Actor = { type: "user", id: members[0]!.id, name: "Bob Brown", workspaceId };
    await kit.withTracking(bob, "insert", "task by Bob", (tx) =>
      tx.insert(tasks).values({ workspaceId, title: "by Bob" }),
    );
    await t.db.execute(sql`UPDATE users SET name = 'Robert Brown' WHERE id = ${members[0]!.id}`);
    await t.db.execute(sql`DELETE FROM users WHERE id = ${members[0]!.id}`);
    const [event] = await allEvents(t.db);
    expect(event).toMatchObject({ actorType: "user", actorId: null, actorLabel: "Bob Brown", subject: "task by Bob" });
  });

  it("can be the system, a named job or an API key", async () => {
    const actors: Actor[] = [
      { type: "system", workspaceId },
      { type: "job", name: "nightly-cleanup", workspaceId },
      { type: "api_key", id: "key_1", name: "Zapier", workspaceId },
    ];
    for (const actor of actors) {
      await kit.withTracking(actor, "insert", "task", (tx) =>
        tx.insert(tasks).values({ workspaceId, title: actor.type }),
      );
    }
    expect((await allEvents(t.db)).map((e) => [e.actorType, e.actorId, e.actorLabel])).toEqual([
      ["system", null, "System"],
      ["job", null, "nightly-cleanup"],
      ["api_key", "key_1", "Zapier"],
    ]);
  });

  it("come from the request context unless given explicitly, and the database sees them too", async () => {
    const fromContext = await runWithActivityContext(
      { actor: alice, requestId: "req-1", ip: "203.0.113.9", userAgent: "test-agent" },
      async () => {
        const seen = await kit.withTracking(null, "insert", "task in context", async (tx) => {
          await tx.insert(tasks).values({ workspaceId, title: "ctx" });
          const result = await tx.execute<{ label: string; request: string }>(
            sql`select current_setting('activity.actor_label') as label, current_setting('activity.request_id') as request`,
          );
          return (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows)[0];
        });
        await kit.withTracking({ type: "job", name: "explicit", workspaceId }, "insert", "task explicit", (tx) =>
          tx.insert(tasks).values({ workspaceId, title: "explicit" }),
        );
        return seen;
      },
    );
    expect(fromContext).toEqual({ label: "Alice Adams", request: "req-1" });
    const events = await allEvents(t.db);
    expect(events.map((e) => [e.actorLabel, e.requestId, e.ip, e.userAgent])).toEqual([
      ["Alice Adams", "req-1", "203.0.113.9", "test-agent"],
      ["explicit", "req-1", "203.0.113.9", "test-agent"],
    ]);
    await expect(kit.withTracking(null, "insert", "nobody", async () => 1)).rejects.toThrow(/needs an actor/);
  });

  it("20 concurrent writers each get their own actor on their own event", async () => {
    const writers = Array.from(
      { length: 20 },
      (_, i): Actor => ({ type: "user", id: 1000 + i, name: `Writer ${i}`, workspaceId }),
    );
    await Promise.all(
      writers.map((actor, i) =>
        kit.withTracking(actor, "insert", `task ${i}`, async (tx) => {
          const [task] = await tx
            .insert(tasks)
            .values({ workspaceId, title: `w${i}` })
            .returning();
          await tx.execute(sql`select pg_sleep(0.005)`);
          return task!;
        }),
      ),
    );
    const events = await allEvents(t.db);
    expect(events).toHaveLength(20);
    for (const event of events) {
      const i = Number(event.actorLabel.replace("Writer ", ""));
      expect(event.actorId).toBe(String(1000 + i));
      expect(event.subject).toBe(`task ${i}`);
      expect(event.changes).toEqual([
        expect.objectContaining({ op: "insert", row: expect.objectContaining({ title: `w${i}` }) }),
      ]);
    }
  });
});

describe("queries", () => {
  it("history is oldest to newest, includes related events, and is scoped to the workspace", async () => {
    const [project] = await t.db.insert(projects).values({ workspaceId, name: "P" }).returning();
    const task = await kit.withTracking(
      alice,
      "insert",
      "task T",
      async (tx) => {
        const [row] = await tx.insert(tasks).values({ workspaceId, title: "T", projectId: project!.id }).returning();
        return row!;
      },
      { related: [{ type: "project", id: String(project!.id) }] },
    );
    await kit.withTracking(alice, "update", "task T2", (tx) =>
      tx.update(tasks).set({ title: "T2" }).where(eq(tasks.id, task.id)),
    );

    const ref = { type: "task", id: String(task.id) };
    expect((await kit.history(ref, { workspaceId })).map((e) => e.subject)).toEqual(["task T", "task T2"]);
    expect(
      (await kit.history({ type: "project", id: String(project!.id) }, { workspaceId })).map((e) => e.subject),
    ).toEqual(["project P", "task T"]);
    expect(await kit.history(ref, { workspaceId: workspaceId + 1 })).toEqual([]);
    expect((await kit.history(ref, { workspaceId, limit: 1 })).map((e) => e.subject)).toEqual(["task T2"]);
    expect(await kit.isTracked(ref, { workspaceId })).toBe(true);
    expect(await kit.isTracked({ type: "task", id: "999" }, { workspaceId })).toBe(false);
    expect(await kit.isTrackedBy(ref, [alice], { workspaceId })).toBe(true);
    expect(await kit.isTrackedBy(ref, [{ id: 424242 }], { workspaceId })).toBe(false);
    expect(kit.recordKey(tasks, task)).toBe(`task:${task.id}`);
  });
});

describe("coverage", () => {
  it("passes when every tracked table has its triggers, and names what is missing or stale", async () => {
    expect(await checkCoverage(t.db, trackedTables)).toEqual([]);
    await t.db.execute(sql`DROP TRIGGER activity_capture_update_tasks ON tasks`);
    await t.db.execute(sql`ALTER TABLE comments DISABLE TRIGGER activity_capture_insert_comments`);
    try {
      const problems = await checkCoverage(t.db, trackedTables);
      expect(problems).toEqual([
        expect.stringMatching(/^tasks: no update capture trigger/),
        expect.stringMatching(/^comments: the insert capture trigger is disabled/),
      ]);
      const stale = trackTable(tasks, { type: "todo", workspace: tasks.workspaceId });
      expect(await checkCoverage(t.db, [stale])).toEqual(
        expect.arrayContaining([expect.stringMatching(/installed for another registration/)]),
      );
    } finally {
      for (const statement of trackedTables.flatMap((table) => tableTriggerStatements(table)))
        await t.db.execute(sql.raw(statement));
    }
    expect(await checkCoverage(t.db, trackedTables)).toEqual([]);
  });
});
