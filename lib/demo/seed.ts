import { sql } from "drizzle-orm";
import { createActivityKit, resetActivityLog, runWithActivityContext } from "@/lib/activity";
import { catalogue, trackedTables } from "@/lib/activity-kit";
import { hashPassword } from "@/lib/auth/password";
import type { Database } from "@/lib/db/client";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "@/lib/db/demo-accounts";
import { comments, memberships, projects, type Role, type Task, tasks, users, workspaces } from "@/lib/db/schema";
import { createOperations, type OperationViewer } from "./operations";

/** Teammates who appear in the history but have no password (they cannot sign in). */
const TEAMMATES = [
  { email: "erin@acme.test", name: "Erin Evans", workspace: "Acme", role: "member" },
  { email: "frank@globex.test", name: "Frank Fox", workspace: "Globex", role: "member" },
] as const;

const PLAN: Record<string, { days: number; perDay: number; projects: { name: string; description: string }[] }> = {
  Acme: {
    days: 42,
    perDay: 6,
    projects: [
      { name: "Website relaunch", description: "New marketing site before the spring campaign." },
      { name: "Billing", description: "Move invoices to the new provider." },
    ],
  },
  Globex: {
    days: 42,
    perDay: 2,
    projects: [{ name: "Hammock factory", description: "Open the second production line." }],
  },
};

const TASK_TITLES = [
  "Fix login redirect",
  "Write pricing page copy",
  "Compress hero images",
  "Set up preview deploys",
  "Export old invoices",
  "Map tax codes",
  "Email customers about the change",
  "Order steel frames",
  "Hire shift leads",
  "Book the safety inspection",
  "Update the onboarding checklist",
  "Review accessibility audit",
  "Rotate the API keys",
  "Plan the team offsite",
  "Draft the quarterly report",
  "Clean up old feature flags",
];
const COMMENTS = [
  "Let's get this one done first.",
  "I can pick this up tomorrow.",
  "Blocked on the design review.",
  "Done on staging, checking production now.",
  "Can we split this in two?",
  "Customer asked about this again.",
];
const REASONS = ["Duplicate of another task", "No longer needed after the redesign", "Out of scope for this quarter"];

/** A small deterministic PRNG, so every seed tells the same story. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

/**
 * Removes every row (and every event), then recreates the demo workspaces, accounts and a history of a few
 * hundred events over six weeks, made through the same tracked operations as the app's server actions.
 */
export async function seedDemo(db: Database): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const people = [
    ...DEMO_ACCOUNTS.map((a) => ({ ...a, passwordHash })),
    ...TEAMMATES.map((a) => ({ ...a, passwordHash: null })),
  ];
  const start = Date.now() - 42 * 24 * 3600_000;
  // The workspaces and people exist before the history that happens in them.
  const createdAt = new Date(start - 24 * 3600_000);
  const { workspaceRows, userRows } = await db.transaction(async (tx) => {
    // The log is append-only by privilege: the kit's reset routine empties it (as its owner) and records that.
    await resetActivityLog(tx);
    await tx.execute(
      sql`TRUNCATE ${comments}, ${tasks}, ${projects}, ${memberships}, ${workspaces}, ${users} RESTART IDENTITY CASCADE`,
    );
    const workspaceRows = await tx
      .insert(workspaces)
      .values(Object.keys(PLAN).map((name) => ({ name, slug: name.toLowerCase(), createdAt })))
      .returning();
    const userRows = await tx
      .insert(users)
      .values(people.map((p) => ({ email: p.email, name: p.name, passwordHash: p.passwordHash, createdAt })))
      .returning();
    await tx.insert(memberships).values(
      people.map((p, i) => ({
        userId: userRows[i]!.id,
        workspaceId: workspaceRows.find((w) => w.name === p.workspace)!.id,
        role: p.role as Role,
      })),
    );
    return { workspaceRows, userRows };
  });

  const operations = createOperations(createActivityKit({ db: () => db, catalogue, tables: trackedTables }));
  const rng = random(20261123);

  for (const workspace of workspaceRows) {
    const plan = PLAN[workspace.name]!;
    const viewers: OperationViewer[] = people.flatMap((p, i) =>
      p.workspace === workspace.name
        ? [{ user: { id: userRows[i]!.id, name: p.name }, workspace: { id: workspace.id, role: p.role as Role } }]
        : [],
    );
    const admin = viewers.find((v) => v.workspace.role === "admin")!;
    let clock = start;
    const at = (minutes: number) => {
      clock += minutes * 60_000;
      return new Date(Math.min(clock, Date.now() - 60_000));
    };
    const as = <T>(occurredAt: Date, fn: () => Promise<T>) => runWithActivityContext({ occurredAt }, fn);
    const must = <T>(result: { ok: true; data: T } | { ok: false; error: { message: string } }): T => {
      if (!result.ok) throw new Error(`demo seed: ${result.error.message}`);
      return result.data;
    };

    const projectIds: number[] = [];
    for (const p of plan.projects) {
      const project = must(await as(at(30), () => operations.createProject(admin, p)));
      projectIds.push(project.id);
    }
    const open: Task[] = [];
    const assignees = viewers.map((v) => v.user.id);

    for (let day = 0; day < plan.days; day++) {
      clock = start + day * 24 * 3600_000 + 8 * 3600_000;
      for (let n = 0; n < plan.perDay; n++) {
        const actor = rng.pick(viewers);
        const when = at(20 + Math.floor(rng.next() * 90));
        const roll = rng.next();
        const task = open.length > 0 ? rng.pick(open) : undefined;
        if (!task || roll < 0.3 || open.length < 3) {
          const created = must(
            await as(when, () =>
              operations.createTask(actor, {
                title: rng.pick(TASK_TITLES),
                projectId: rng.pick(projectIds),
                assigneeId: rng.next() < 0.7 ? rng.pick(assignees) : null,
                dueDate:
                  rng.next() < 0.5 ? new Date(when.getTime() + 10 * 24 * 3600_000).toISOString().slice(0, 10) : null,
              }),
            ),
          );
          open.push(created);
        } else if (roll < 0.55) {
          must(await as(when, () => operations.createComment(actor, { taskId: task.id, body: rng.pick(COMMENTS) })));
        } else if (roll < 0.85) {
          const status = task.status === "todo" ? "doing" : "done";
          const updated = must(
            await as(when, () =>
              operations.updateTask(actor, {
                id: task.id,
                title: task.title,
                status,
                projectId: task.projectId,
                assigneeId: rng.next() < 0.3 ? rng.pick(assignees) : task.assigneeId,
                dueDate: task.dueDate,
              }),
            ),
          );
          open.splice(open.indexOf(task), 1);
          if (updated.status !== "done") open.push(updated);
        } else if (roll < 0.95) {
          must(await as(when, () => operations.cancelTask(actor, { id: task.id, reason: rng.pick(REASONS) })));
          open.splice(open.indexOf(task), 1);
        } else {
          must(await as(when, () => operations.deleteTask(admin, { id: task.id })));
          open.splice(open.indexOf(task), 1);
        }
      }
    }
  }
}

/** Seeds the demo data on a database that has no users yet (the embedded database's first start). */
export async function seedIfEmpty(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  if ((row?.n ?? 0) > 0) return false;
  await seedDemo(db);
  return true;
}
