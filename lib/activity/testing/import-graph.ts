import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const EXTENSIONS = [".ts", ".tsx", "/index.ts", "/index.tsx"];
// `import x from "y"`, `export { x } from "y"`, `import "y"`, `import("y")`; type-only imports count too:
// a type living in the wrong file is what makes two files import each other.
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string, tests: boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === "node_modules" ? [] : sourceFiles(file, tests);
    return /\.tsx?$/.test(name) && (tests || !/\.test\.tsx?$/.test(name)) ? [file] : [];
  });
}

function resolve(from: string, specifier: string, root: string): string | null {
  const base = specifier.startsWith("@/")
    ? path.join(root, specifier.slice(2))
    : specifier.startsWith(".")
      ? path.resolve(path.dirname(from), specifier)
      : null;
  if (!base) return null;
  if (/\.tsx?$/.test(base) && existsSync(base)) return base;
  for (const ext of EXTENSIONS) if (existsSync(base + ext)) return base + ext;
  return null;
}

/**
 * Each source file under `dirs` with the project files it imports, statically or not. Tests are left out
 * unless `tests` is set.
 */
export function importGraph(root: string, dirs: string[], { tests = false } = {}): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap((d) => sourceFiles(path.join(root, d), tests))) {
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
    const targets = new Set<string>();
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(file, (m[1] ?? m[2] ?? m[3])!, root);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** The import circles of the graph (strongly connected groups of more than one file, or a file importing itself). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== file);
      if (group.length > 1 || graph.get(file)?.includes(file)) cycles.push(group.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/**
 * The import chains from `from` that end in a file `forbidden` names, each as the list of files along it
 * (the first chain found to each forbidden file). The walk does not go on through a file `through` refuses.
 */
export function forbiddenImports(
  graph: Map<string, string[]>,
  from: string,
  forbidden: (file: string) => boolean,
  through: (file: string) => boolean = () => true,
): string[][] {
  const chains: string[][] = [];
  const seen = new Set([from]);
  const queue: string[][] = [[from]];
  while (queue.length > 0) {
    const chain = queue.shift()!;
    for (const next of graph.get(chain.at(-1)!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      if (forbidden(next)) chains.push([...chain, next]);
      else if (through(next)) queue.push([...chain, next]);
    }
  }
  return chains;
}
