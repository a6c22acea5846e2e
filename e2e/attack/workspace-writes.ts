import { expect } from "@playwright/test";
import postgres from "postgres";
import type { SignedIn } from "./accounts";
import { callAction } from "./server-action";

export interface WriteMark {
  head: number;
  /** Rows of the workspace per table, when the test can reach the database (a server; CI always has one). */
  rows: Record<string, number> | null;
}

/**
 * The workspace's log head once everything committed before it is sequenced: a sentinel project is written
 * and read back as the newest event. Two marks differ by exactly one event (the second sentinel) when
 * nothing else was written in between — on PGlite too, where the test cannot open the server's database.
 */
export async function markWrites(admin: SignedIn): Promise<WriteMark> {
  const answer = await callAction(admin.request, "createProjectAction", { name: "attack sentinel", description: "" });
  expect(answer.result).toMatchObject({ ok: true });
  const id = String((answer.result as unknown as { data: { id: number } }).data.id);
  let head = 0;
  await expect
    .poll(async () => {
      const page = await (await admin.request.get("/api/audit?limit=1")).json();
      head = page.head;
      return page.items[0]?.record?.id === id && page.items[0]?.record?.type === "project";
    })
    .toBe(true);
  return { head, rows: await rowCounts(admin.workspaceId) };
}

async function rowCounts(workspaceId: number): Promise<Record<string, number> | null> {
  const url = process.env.DATABASE_URL;
  if (!url) return null;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<Record<string, number>[]>`
      select
        (select count(*)::int from tasks where workspace_id = ${workspaceId}) as tasks,
        (select count(*)::int from projects where workspace_id = ${workspaceId}) as projects,
        (select count(*)::int from comments where workspace_id = ${workspaceId}) as comments,
        (select count(*)::int from activity_events where workspace_id = ${String(workspaceId)}) as events`;
    return row!;
  } finally {
    await sql.end();
  }
}

/**
 * Asserts that between two marks only the second sentinel was written in the workspace, and `accepted`
 * events more when the attack had that many calls accepted (a fuzzed create with valid input).
 */
export function expectNothingWritten(before: WriteMark, after: WriteMark, what: string, accepted = 0) {
  expect(after.head - before.head, `${what}: events sequenced between the sentinels`).toBe(1 + accepted);
  if (before.rows && after.rows && accepted === 0) {
    expect(after.rows, `${what}: rows`).toEqual({
      ...before.rows,
      projects: (before.rows.projects ?? 0) + 1,
      events: (before.rows.events ?? 0) + 1,
    });
  }
}
