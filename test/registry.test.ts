import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * registry.json (the shadcn registry of the kit) and its build in public/r, against the sources. When one
 * of these fails: list the new file in registry.json, then `npm run registry:build` and commit public/r.
 */
const root = path.resolve(import.meta.dirname, "..");

interface RegistryFile {
  path: string;
  type: string;
  target?: string;
  content?: string;
}
interface RegistryItem {
  name: string;
  type: string;
  dependencies?: string[];
  devDependencies?: string[];
  registryDependencies?: string[];
  cssVars?: unknown;
  files: RegistryFile[];
}

const registry = JSON.parse(readFileSync(path.join(root, "registry.json"), "utf8")) as { items: RegistryItem[] };
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The folders the items ship, and what in them is not shipped (tests and the kit's test fixtures). */
const SHIPPED_FOLDERS = ["lib/activity", "lib/activity-client", "components/activity", "components/audit", "registry"];
const isTest = (file: string) => /\.test\.tsx?$/.test(file) || file.split("/").includes("testing");

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !isTest(file))
    .sort();
}

const listed = registry.items.flatMap((item) => item.files.map((file) => ({ item: item.name, ...file })));
const item = (name: string) => registry.items.find((i) => i.name === name);

describe("registry.json", () => {
  it("has the three items, installable alone", () => {
    expect(registry.items.map((i) => i.name)).toEqual(["activity-kit", "activity-feed", "activity-audit"]);
    expect(item("activity-feed")?.registryDependencies).toEqual(
      expect.arrayContaining(["button", "input", "card", "@activity-kit/activity-kit"]),
    );
    expect(item("activity-audit")?.registryDependencies).toEqual(
      expect.arrayContaining(["button", "input", "card", "@activity-kit/activity-kit", "@activity-kit/activity-feed"]),
    );
  });

  it("lists every source file of the kit and its UI, and no test", () => {
    const paths = new Set(listed.map((file) => file.path));
    const missing = SHIPPED_FOLDERS.flatMap(sourceFiles).filter((file) => !paths.has(file));
    expect(missing, "files to add to registry.json").toEqual([]);
    expect(listed.filter((file) => isTest(file.path)).map((file) => file.path)).toEqual([]);
  });

  it("points at files that exist, each with an explicit target", () => {
    for (const file of listed) {
      expect(existsSync(path.join(root, file.path)), file.path).toBe(true);
      expect(file.target, `${file.path} has no target`).toMatch(/^(lib|components|app)\//);
    }
    const targets = listed.map((file) => file.target);
    expect(new Set(targets).size, "two files install to one target").toBe(targets.length);
  });

  it("asks for the npm packages in the versions the kit is tested against", () => {
    for (const entry of registry.items) {
      for (const spec of [...(entry.dependencies ?? []), ...(entry.devDependencies ?? [])]) {
        const at = spec.lastIndexOf("@");
        const name = spec.slice(0, at);
        const range = spec.slice(at + 1);
        const tested = pkg.dependencies[name] ?? pkg.devDependencies[name];
        expect(tested, `${name} is not a package of this repository`).toBeDefined();
        expect(range.replace(/^[~^]/, ""), `${spec} against package.json's ${tested}`).toBe(tested);
      }
    }
  });

  it("ships files that import nothing of the demo and use shadcn's primitives by their usual names", () => {
    const primitives: Record<string, string[]> = {
      "@/components/ui/button": ["Button", "buttonVariants"],
      "@/components/ui/input": ["Input"],
      "@/components/ui/card": ["Card"],
      "@/lib/utils": ["cn"],
    };
    const problems: string[] = [];
    for (const file of listed) {
      const source = readFileSync(path.join(root, file.path), "utf8");
      for (const match of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"/g)) {
        const [, names = "", from = ""] = match;
        if (/^@\/(lib\/(db|auth|demo|actions|http|result|actor|request-context|feed-page)\b|app\/)/.test(from)) {
          problems.push(`${file.path} imports ${from}`);
        }
        const allowed = primitives[from];
        if (from.startsWith("@/components/ui/") && !allowed) problems.push(`${file.path} imports ${from}`);
        if (allowed) {
          for (const name of names.split(",").map((n) => n.replace(/^\s*type\s+/, "").trim())) {
            if (name && !allowed.includes(name)) problems.push(`${file.path} imports ${name} from ${from}`);
          }
        }
      }
      if (file.type !== "registry:lib" || file.path.startsWith("lib/activity-client")) {
        for (const demo of ["/tasks", "/admin/audit", "task:42", "Create or edit a task"]) {
          if (source.includes(demo)) problems.push(`${file.path} says ${demo}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("public/r (npm run registry:build)", () => {
  for (const entry of registry.items) {
    it(`${entry.name}.json is current`, () => {
      const built = path.join(root, "public", "r", `${entry.name}.json`);
      expect(existsSync(built), `public/r/${entry.name}.json is missing`).toBe(true);
      const output = JSON.parse(readFileSync(built, "utf8")) as RegistryItem;
      const { files, ...rest } = entry;
      expect(output).toMatchObject(rest);
      expect(output.files.map((file) => file.path)).toEqual(files.map((file) => file.path));
      for (const file of output.files) {
        const source = readFileSync(path.join(root, file.path), "utf8");
        expect(file.content === source, `${file.path} changed since the build: npm run registry:build`).toBe(true);
      }
    });
  }
});
