import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { memberships, userSessions, users, workspaces } from "@/lib/db/schema";
import { setupTestDb } from "@/test/db";
import { endSession, startSession } from "./sessions";
import { loadViewerState } from "./viewer-state";

const t = setupTestDb();

let ada: number;
let acme: number;
let globex: number;

beforeEach(async () => {
  ada = await newUser({ email: "ada@example.com", name: "Ada" });
  const [a, g] = await t.db
    .insert(workspaces)
    .values([
      { name: "Acme", slug: "acme" },
      { name: "Globex", slug: "globex" },
    ])
    .returning();
  acme = a!.id;
  globex = g!.id;
  await t.db.insert(memberships).values([
    { userId: ada, workspaceId: acme, role: "admin" },
    { userId: ada, workspaceId: globex, role: "member" },
  ]);
});

describe("loadViewerState", () => {
  it("reads the user, the wanted workspace and every membership for a live session", async () => {
    const sessionId = await startSession(t.db, ada);
    const state = await loadViewerState(t.db, { userId: String(ada), sessionId }, globex);
    expect(state).toEqual({
      status: "ok",
      user: { id: ada, name: "Ada", email: "ada@example.com" },
      workspace: { id: globex, name: "Globex", slug: "globex", role: "member" },
      memberships: [
        { id: acme, name: "Acme", slug: "acme", role: "admin" },
        { id: globex, name: "Globex", slug: "globex", role: "member" },
      ],
    });
    // A workspace the user does not belong to falls back to the first by name.
    const other = await loadViewerState(t.db, { userId: ada, sessionId }, 999_999);
    expect(other.status === "ok" && other.workspace.id).toBe(acme);
  });

  it("signs out the ended session only: the user's other device stays signed in", async () => {
    const laptop = await startSession(t.db, ada);
    const phone = await startSession(t.db, ada);
    await endSession(t.db, laptop);
    expect(await loadViewerState(t.db, { userId: ada, sessionId: laptop }, acme)).toEqual({ status: "signed-out" });
    expect((await loadViewerState(t.db, { userId: ada, sessionId: phone }, acme)).status).toBe("ok");
  });

  it("refuses a token without a session id, with another user's session, or with an expired one", async () => {
    const bob = await newUser({ email: "bob@example.com", name: "Bob" });
    const bobs = await startSession(t.db, bob);
    const old = await startSession(t.db, ada, new Date(Date.now() - 31 * 24 * 3600_000));
    for (const claims of [
      { userId: ada, sessionId: undefined },
      { userId: ada, sessionId: "" },
      { userId: ada, sessionId: bobs },
      { userId: ada, sessionId: old },
      { userId: "not-a-number", sessionId: bobs },
    ]) {
      expect(await loadViewerState(t.db, claims, acme), JSON.stringify(claims)).toEqual({ status: "signed-out" });
    }
  });

  it("applies a role change and a removal from a workspace on the next read", async () => {
    const sessionId = await startSession(t.db, ada);
    await t.db.update(memberships).set({ role: "member" }).where(eq(memberships.workspaceId, acme));
    const demoted = await loadViewerState(t.db, { userId: ada, sessionId }, acme);
    expect(demoted.status === "ok" && demoted.workspace.role).toBe("member");
    await t.db.delete(memberships).where(eq(memberships.workspaceId, acme));
    const moved = await loadViewerState(t.db, { userId: ada, sessionId }, acme);
    expect(moved.status === "ok" && moved.workspace.id).toBe(globex);
    await t.db.delete(memberships).where(eq(memberships.userId, ada));
    expect(await loadViewerState(t.db, { userId: ada, sessionId }, acme)).toEqual({
      status: "no-workspace",
      user: { id: ada, name: "Ada", email: "ada@example.com" },
    });
  });

  it("signs out a deleted user, whose sessions go with them", async () => {
    const sessionId = await startSession(t.db, ada);
    await t.db.delete(users).where(eq(users.id, ada));
    expect(await loadViewerState(t.db, { userId: ada, sessionId }, acme)).toEqual({ status: "signed-out" });
    expect(await t.db.select().from(userSessions)).toEqual([]);
  });

  it("drops the user's expired sessions when a new one starts", async () => {
    await startSession(t.db, ada, new Date(Date.now() - 31 * 24 * 3600_000));
    const live = await startSession(t.db, ada);
    const rows = await t.db.select({ id: userSessions.id }).from(userSessions);
    expect(rows).toEqual([{ id: live }]);
    expect(live).toMatch(/^[\w-]{32}$/);
  });

  it("asks the database once", async () => {
    const sessionId = await startSession(t.db, ada);
    const started: string[] = [];
    // Every statement starts from one of these builders; a second query would show here.
    const counting = new Proxy(t.db, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== "function") return value;
        if (
          ["select", "selectDistinct", "execute", "insert", "update", "delete", "transaction", "with"].includes(
            String(key),
          )
        )
          started.push(String(key));
        return value.bind(target);
      },
    });
    expect((await loadViewerState(counting, { userId: ada, sessionId }, acme)).status).toBe("ok");
    expect(started).toEqual(["select"]);
  });
});

async function newUser(values: { email: string; name: string }): Promise<number> {
  const [row] = await t.db.insert(users).values(values).returning({ id: users.id });
  return row!.id;
}
