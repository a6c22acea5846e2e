import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "./client";

const root = mkdtempSync(path.join(tmpdir(), "activity-kit-data-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the embedded database's folder", () => {
  it("is readable by its owner only (.data 0700, the data folder 0700)", async () => {
    const dataDir = path.join(root, ".data", "pglite");
    const handle = await openPglite({ dataDir });
    try {
      expect(statSync(path.join(root, ".data")).mode & 0o777).toBe(0o700);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      await handle.close();
    }
  }, 60_000);
});
