import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
// A line that is only a conflict marker; "=======" alone is also a Markdown heading underline, so only the
// two that have no other meaning are looked for.
const marker = /^(<{7}|>{7})( |$)/m;

describe("the repository", () => {
  it("recognises a conflict left by a merge", () => {
    expect(
      marker.test(["text", `${"<".repeat(7)} HEAD`, "ours", "=".repeat(7), "theirs", `${">".repeat(7)} b`].join("\n")),
    ).toBe(true);
    expect(marker.test("a << b\n>> c")).toBe(false);
  });

  it("holds no file with a merge conflict left in it", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
    const text = /\.(ts|tsx|js|mjs|json|md|sql|css|sh|yml|yaml)$/;
    const conflicted = files.filter((f) => {
      if (!text.test(f)) return false;
      try {
        return marker.test(readFileSync(path.join(root, f), "utf8"));
      } catch {
        return false; // listed but not in this checkout (deleted in the work tree)
      }
    });
    expect(conflicted).toEqual([]);
  });
});
