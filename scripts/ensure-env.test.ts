import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const script = path.resolve("scripts/ensure-env.mjs");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function run(setup?: (file: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), "activity-kit-env-"));
  dirs.push(dir);
  const file = path.join(dir, ".env.local");
  setup?.(file);
  const { AUTH_SECRET: _, ...env } = process.env;
  execFileSync(process.execPath, [script], { cwd: dir, env, stdio: "pipe" });
  return file;
}

describe("scripts/ensure-env.mjs", () => {
  it("writes the new secret to a .env.local only its owner can read", () => {
    const file = run();
    expect(readFileSync(file, "utf8")).toMatch(/^AUTH_SECRET=[\w-]{43}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
  it("closes an existing .env.local that others could read", () => {
    const file = run((f) => {
      writeFileSync(f, "OTHER=1\n");
      chmodSync(f, 0o644);
    });
    expect(readFileSync(file, "utf8")).toMatch(/^OTHER=1\nAUTH_SECRET=/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
