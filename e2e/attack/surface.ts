import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const APP = path.resolve("app");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [full];
  });
}

/** `app/(app)/tasks/[id]/page.tsx` → `/tasks/[id]`: route groups leave the URL, the file name too. */
function routeOf(file: string): string {
  const segments = path
    .relative(APP, path.dirname(file))
    .split(path.sep)
    .filter((s) => s !== "" && !/^\(.*\)$/.test(s));
  return `/${segments.join("/")}`;
}

/** Every page of the app, as its route pattern. */
export function discoveredPages(): string[] {
  return files(APP)
    .filter((f) => /\/page\.tsx?$/.test(f))
    .map(routeOf)
    .sort();
}

/** Every route handler of the app, as its route pattern. */
export function discoveredRoutes(): string[] {
  return files(APP)
    .filter((f) => /\/route\.tsx?$/.test(f))
    .map(routeOf)
    .sort();
}

/**
 * Every exported server action in the app's source: the exports of each "use server" module. The build's
 * manifest is compared with this too, so an inline action (a "use server" function in a component) shows.
 */
export function discoveredActions(): string[] {
  const names: string[] = [];
  for (const file of files(APP).filter((f) => /\.tsx?$/.test(f))) {
    const source = readFileSync(file, "utf8");
    if (!/^\s*["']use server["']/.test(source)) continue;
    for (const match of source.matchAll(/export\s+(?:const|async\s+function|function)\s+(\w+)/g)) names.push(match[1]!);
  }
  return names.sort();
}
