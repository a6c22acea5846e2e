/**
 * What the session check costs each request: `loadViewerState` (the device session, the user and the
 * memberships in one query) against what every request paid before sessions could end (the user, then the
 * memberships: two queries, no check), and against the check added as a query of its own (three). Many
 * users, each with a few devices and two workspaces; every call reads a random user's viewer.
 */
import { asc, eq } from "drizzle-orm";
import { startSession } from "@/lib/auth/sessions";
import { loadViewerState } from "@/lib/auth/viewer-state";
import { type Database, openPostgres } from "@/lib/db/client";
import { memberships, userSessions, users, workspaces } from "@/lib/db/schema";
import { runRounds } from "./lib/rounds";
import { median } from "./lib/stats";
import { type Suite, type SuiteContext, writeResults } from "./lib/suite";
import { fixed, formatTable } from "./lib/table";

const USERS = 2_000;
const DEVICES = 3;
const WORKSPACES = 50;

interface Signed {
  userId: number;
  sessionId: string;
  workspaceId: number;
}

/** The viewer as lib/auth/viewer.ts read it before sessions were checked: two queries. */
async function viewerWithoutCheck(db: Database, s: Signed) {
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, s.userId));
  if (!user) return null;
  return db
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, s.userId))
    .orderBy(asc(workspaces.name));
}

/** The check as a query of its own before those two: what folding it in saves. */
async function viewerWithSeparateCheck(db: Database, s: Signed) {
  const [session] = await db.select({ id: userSessions.id }).from(userSessions).where(eq(userSessions.id, s.sessionId));
  if (!session) return null;
  return viewerWithoutCheck(db, s);
}

async function seed(db: Database): Promise<Signed[]> {
  const spaces = await db
    .insert(workspaces)
    .values(Array.from({ length: WORKSPACES }, (_, i) => ({ name: `Workspace ${i}`, slug: `w${i}` })))
    .returning({ id: workspaces.id });
  const people = await db
    .insert(users)
    .values(Array.from({ length: USERS }, (_, i) => ({ email: `user${i}@bench.test`, name: `User ${i}` })))
    .returning({ id: users.id });
  await db.insert(memberships).values(
    people.flatMap((u, i) => [
      { userId: u.id, workspaceId: spaces[i % WORKSPACES]!.id, role: "admin" as const },
      { userId: u.id, workspaceId: spaces[(i + 1) % WORKSPACES]!.id, role: "member" as const },
    ]),
  );
  const signed: Signed[] = [];
  for (const [i, u] of people.entries()) {
    for (let d = 0; d < DEVICES; d++) {
      signed.push({ userId: u.id, sessionId: await startSession(db, u.id), workspaceId: spaces[i % WORKSPACES]!.id });
    }
  }
  await db.execute("analyze");
  return signed;
}

export const session: Suite = {
  name: "session",
  description: "per-request viewer read: with the session check folded in, without it, and as a query of its own",
  estimateSeconds: (o) => 3 * o.rounds * (o.seconds + o.warmup) + 15,
  async run(context: SuiteContext) {
    const { options } = context;
    const handle = await openPostgres(context.databaseUrl, { max: options.clients });
    try {
      const db = handle.db;
      const signed = await seed(db);
      const pick = () => signed[Math.floor(Math.random() * signed.length)]!;
      const cases = [
        {
          id: "before",
          label: "no check: user, then memberships (2 queries)",
          op: () => viewerWithoutCheck(db, pick()),
        },
        {
          id: "checked",
          label: "loadViewerState: session + user + memberships (1 query)",
          op: async () => {
            const s = pick();
            const state = await loadViewerState(db, s, s.workspaceId);
            if (state.status !== "ok") throw new Error(`a live session read as ${state.status}`);
          },
        },
        {
          id: "separate",
          label: "check as its own query, then the 2 (3 queries)",
          op: () => viewerWithSeparateCheck(db, pick()),
        },
      ];
      console.log(
        `\nsession: ${USERS} users × ${DEVICES} devices, ${options.clients} clients, ${options.rounds} rounds of ${options.seconds} s`,
      );
      const results = await runRounds(cases, {
        clients: options.clients,
        seconds: options.seconds,
        warmup: options.warmup,
        rounds: options.rounds,
      });
      const summary = cases.map((c) => {
        const rounds = results.get(c.id)!;
        return {
          id: c.id,
          label: c.label,
          opsPerSec: median(rounds.map((r) => r.opsPerSec)),
          p50Ms: median(rounds.map((r) => r.p50)),
          p99Ms: median(rounds.map((r) => r.p99)),
        };
      });
      const base = summary.find((s) => s.id === "before")!;
      console.log(
        formatTable(
          ["case", "reads/s", "× before", "p50 ms", "p99 ms"],
          summary.map((s) => [
            s.label,
            fixed(s.opsPerSec, 0),
            fixed(s.opsPerSec / base.opsPerSec, 2),
            fixed(s.p50Ms, 2),
            fixed(s.p99Ms, 2),
          ]),
        ),
      );
      writeResults(context, "session", { users: USERS, devices: DEVICES, clients: options.clients, cases: summary });
    } finally {
      await handle.close();
    }
  },
};
