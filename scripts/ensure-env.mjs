// Runs before `next dev`, `next build` and `next start`: the first run writes an AUTH_SECRET to
// .env.local (never committed), so the quick start needs no secret to invent.
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, existsSync, readFileSync } from "node:fs";

const file = ".env.local";
const current = existsSync(file) ? readFileSync(file, "utf8") : "";
if (!process.env.AUTH_SECRET && !/^AUTH_SECRET=/m.test(current)) {
  const separator = current && !current.endsWith("\n") ? "\n" : "";
  appendFileSync(file, `${separator}AUTH_SECRET=${randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
  console.log("activity-kit: wrote a new AUTH_SECRET to .env.local");
}
// It holds secrets: readable by its owner only (also when an earlier version wrote it 0644).
if (existsSync(file)) chmodSync(file, 0o600);
