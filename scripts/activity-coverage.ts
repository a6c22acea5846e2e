// Fails when a table registered in lib/activity-kit.ts lacks its capture trigger in the configured database.
import { checkCoverage } from "@/lib/activity/coverage";
import { trackedTables } from "@/lib/activity-kit";
import { openConfigured } from "@/lib/db/client";

const handle = await openConfigured();
try {
  if (handle.kind === "pglite") await handle.migrate();
  const problems = await checkCoverage(handle.db, trackedTables);
  if (problems.length > 0) {
    console.error(`activity coverage: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exitCode = 1;
  } else {
    console.log(`activity coverage: ${trackedTables.map((t) => t.tableName).join(", ")} are captured`);
  }
} finally {
  await handle.close();
}
