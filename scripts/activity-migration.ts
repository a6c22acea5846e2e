// Writes a migration that installs the activity kit's functions and the capture trigger of every table
// registered in lib/activity-kit.ts. Run it after adding or changing a registration, then migrate.
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { captureMigrationSql } from "@/lib/activity/migration";
import { activity, trackedTables } from "@/lib/activity-kit";

const folder = path.join(process.cwd(), "drizzle");
const before = new Set(readdirSync(folder));
execFileSync("npx", ["drizzle-kit", "generate", "--custom", "--name", process.argv[2] ?? "activity_capture"], {
  stdio: "inherit",
});
const created = readdirSync(folder).filter((f) => f.endsWith(".sql") && !before.has(f));
if (created.length !== 1) throw new Error(`expected drizzle-kit to create one migration, found ${created.join(", ")}`);
const file = path.join(folder, created[0]!);
writeFileSync(file, captureMigrationSql({ tables: trackedTables, actors: activity.actors }));
console.log(`wrote ${path.relative(process.cwd(), file)}: capture for ${trackedTables.map((t) => t.type).join(", ")}`);
