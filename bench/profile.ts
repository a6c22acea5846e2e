/**
 * Where a server's CPU time went, from a V8 CPU profile (`node --cpu-prof`), e.g. of `next start` under the
 * HTTP bench: `BENCH_NEXT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- http`, then
 *
 *   npx tsx bench/profile.ts /tmp/prof/CPU.<...>.cpuprofile [from-seconds] [to-seconds]
 *
 * Prints how busy the process was each second (to find a phase: the steady events, the burst), then, for the
 * window given, the share of the busy time by kind of work and the functions with the most self time.
 * `next start` leaves two profiles: the larger is the server's.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Kinds of work, by the first matching frame on the stack, leaf first. */
const KINDS: [string, (frame: ProfileNode["callFrame"]) => boolean][] = [
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  [
    "socket writes (writev, write)",
    (f) => /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(f.functionName),
  ],
  ["crypto (session JWTs, action ids)", (f) => f.url.includes("internal/crypto")],
  ["async hooks (AsyncLocalStorage)", (f) => f.url === "node:async_hooks" || f.url.includes("internal/async_hooks")],
  ["web streams (the response body pipe)", (f) => f.url.includes("internal/webstreams")],
  ["the kit (lib/activity)", (f) => f.url.includes("lib_activity")],
  ["database client (postgres, drizzle)", (f) => /node_modules_(postgres|drizzle-orm)/.test(f.url)],
  ["page and action rendering (React)", (f) => f.url.includes("app-page") || f.url.includes("/ssr/")],
  ["Next's request handling", (f) => f.url.includes("next/dist") || f.url.includes("next-server")],
  ["node streams, http and timers", (f) => f.url.startsWith("node:")],
];

const [file, fromArg, toArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: npx tsx bench/profile.ts <file.cpuprofile> [from-seconds] [to-seconds]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const from = Number(fromArg ?? 0);
const to = Number(toArg ?? Number.POSITIVE_INFINITY);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const isIdle = (n: ProfileNode) => n.callFrame.functionName === "(idle)";
const label = (f: ProfileNode["callFrame"]) =>
  `${f.functionName || "(anonymous)"} ${f.url.replace(/.*node_modules\//, "").replace(/.*\.next\//, ".next/")}:${f.lineNumber}`;

const busyBySecond = new Map<number, number>();
const kinds = new Map<string, number>();
const self = new Map<string, number>();
let busy = 0;
let window = 0;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i]!;
  const dt = profile.timeDeltas[i + 1] ?? 0; // a sample stands for the time until the next one
  const at = (t - profile.startTime) / 1e6;
  const node = byId.get(profile.samples[i]!)!;
  if (!isIdle(node)) busyBySecond.set(Math.floor(at), (busyBySecond.get(Math.floor(at)) ?? 0) + dt);
  if (at < from || at > to) continue;
  window += dt;
  if (isIdle(node)) continue;
  busy += dt;
  self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + dt);
  let kind = "other";
  for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
    const match = KINDS.find(([, test]) => test(byId.get(id!)!.callFrame));
    if (match) {
      kind = match[0];
      break;
    }
  }
  kinds.set(kind, (kinds.get(kind) ?? 0) + dt);
}

const pct = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(1).padStart(5)}%`;
const msOf = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
console.log("busy per second (s: share of one core)");
console.log(
  [...busyBySecond]
    .sort((a, b) => a[0] - b[0])
    .map(([s, us]) => `${s}:${Math.round(us / 1e4)}%`)
    .join(" "),
);
console.log(
  `\nwindow ${from}–${Number.isFinite(to) ? to : "end"} s: ${msOf(window)}, busy ${msOf(busy)} (${pct(busy, window)})`,
);
console.log("\nbusy time by kind (first matching frame from the leaf)");
for (const [kind, us] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`${msOf(us)} ${pct(us, busy)}  ${kind}`);
console.log("\nmost self time");
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`${msOf(us)} ${pct(us, busy)}  ${name}`);
