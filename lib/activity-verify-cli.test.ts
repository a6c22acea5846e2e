import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { sequenceAll, testKit } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { workerDatabaseUrl } from "@/test/worker-databases";
import { projects, workspaces } from "./db/schema";

const target = inject("testDatabase");
const t = setupTestDb();
const kit = testKit(() => t.db);

/** `npm run activity:verify` / `activity:checkpoint`, as a host runs them, against this worker's database. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (target.kind !== "postgres") throw new Error("the CLI opens a server database");
  const poolId = Number(process.env.VITEST_POOL_ID ?? 1);
  const url = workerDatabaseUrl(target.url, poolId);
  // Behind a pooler the CLI talks to the server itself, as a host's would (DATABASE_DIRECT_URL).
  const direct = target.directUrl ? { DATABASE_DIRECT_URL: workerDatabaseUrl(target.directUrl, poolId) } : {};
  try {
    const { stdout, stderr } = await promisify(execFile)("npx", ["tsx", "lib/activity/cli.ts", ...args], {
      env: {
        ...process.env,
        DATABASE_DIRECT_URL: "",
        ...direct,
        DATABASE_URL: url,
        AUTH_SECRET: "cli-test-secret-of-some-length",
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The CLI opens DATABASE_URL; the embedded database of a test worker is not reachable from another process.
describe.runIf(target.kind === "postgres")("the verify and checkpoint commands", () => {
  it("say ok with exit 0, name the broken event with exit 1, and check a signed checkpoint", async () => {
    const [ws] = await t.db.insert(workspaces).values({ name: "Acme", slug: "acme" }).returning();
    const actor = { type: "system", id: "cli-test", name: "CLI test", workspaceId: ws!.id } as const;
    for (const name of ["one", "two"]) {
      await kit.withTracking(actor, "insert", `project ${name}`, (tx) =>
        tx.insert(projects).values({ workspaceId: ws!.id, name }),
      );
    }
    await sequenceAll(t.db);

    const ok = await cli("verify", "--workspace", String(ws!.id));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`ok +workspace "${ws!.id}": 2 events checked \\(numbers 1–2\\), head 2 `));

    const taken = await cli("checkpoint");
    expect(taken.code).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), "activity-checkpoint-"));
    const file = path.join(dir, "checkpoint.json");
    writeFileSync(file, taken.stdout);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ checkpoints: [{ seq: 2 }] });
    expect((await cli("verify", "--checkpoint", file)).stdout).toMatch(/checkpoint head 2: found/);

    await t.db.transaction(async (tx) => {
      await tx.execute(sql`ALTER TABLE activity_events DISABLE TRIGGER USER`);
      await tx.execute(sql`UPDATE activity_events SET subject = 'project forged' WHERE subject = 'project two'`);
      await tx.execute(sql`ALTER TABLE activity_events ENABLE TRIGGER USER`);
    });
    const broken = await cli("verify");
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/BROKEN +workspace "\d+": edited at number 2: Event \d+ \(number 2\) was changed/);

    const forged = JSON.parse(taken.stdout);
    forged.checkpoints[0].seq = 1;
    writeFileSync(file, JSON.stringify(forged));
    const refused = await cli("verify", "--checkpoint", file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/signature does not verify/);
  }, 120_000);
});
