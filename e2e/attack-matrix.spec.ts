import type { APIResponse } from "@playwright/test";
import { DEMO_ACCOUNTS } from "@/lib/db/demo-accounts";
import { createRecords, type DemoAccount, type SignedIn, signIn, type WorkspaceRecords } from "./attack/accounts";
import { builtActionList, callAction } from "./attack/server-action";
import { openStream } from "./attack/stream";
import { discoveredActions, discoveredPages, discoveredRoutes } from "./attack/surface";
import { Tally } from "./attack/tally";
import { expectNothingWritten, markWrites } from "./attack/workspace-writes";
import { expect, test } from "./fixtures";

// The tenant × route matrix and the role matrix of issue 13. The tables below say how to attack each page,
// route handler and server action; the first test fails when the app has one the tables do not name, so a
// new route cannot ship unattacked. Everything goes over real HTTP to `next start` with real sessions.

/** What the attacker knows: their session, their workspace's records, and the other workspace's. */
interface Attack {
  me: SignedIn;
  own: WorkspaceRecords;
  foreign: WorkspaceRecords;
  foreignUser: number;
}

type PageOutcome = "ok" | "not-found" | "not-allowed" | "redirect" | "no-history";

interface PageCase {
  /** Only admins may use it: a member gets the "Not allowed" page or a 403 (the role matrix). */
  admin?: boolean;
  /** Only the markers of the other workspace are secret here, not its people (the public login page lists the demo accounts). */
  public?: boolean;
  urls: (a: Attack) => string[];
  /** What an admin (or anyone, when `admin` is unset) gets for the URLs naming the other workspace's records. */
  outcome: PageOutcome;
}

const PAGES: Record<string, PageCase> = {
  "/": { urls: () => ["/"], outcome: "redirect" },
  "/activity": {
    urls: (a) => [
      "/activity",
      `/activity?record=task:${a.foreign.task}`,
      `/activity?record=project:${a.foreign.project}`,
      `/activity?actor=${a.foreignUser}`,
    ],
    outcome: "ok",
  },
  "/admin": { admin: true, urls: () => ["/admin"], outcome: "ok" },
  "/admin/audit": {
    admin: true,
    urls: (a) => [
      "/admin/audit",
      `/admin/audit?record=task:${a.foreign.task}`,
      `/admin/audit?record=comment:${a.foreign.comment}`,
      `/admin/audit?actor=${a.foreignUser}`,
    ],
    outcome: "ok",
  },
  "/admin/audit/[recordType]/[recordId]": {
    admin: true,
    urls: (a) => [
      `/admin/audit/task/${a.foreign.task}`,
      `/admin/audit/project/${a.foreign.project}`,
      `/admin/audit/comment/${a.foreign.comment}`,
      `/admin/audit/task/${a.foreign.task}?at=${encodeURIComponent(new Date().toISOString())}&order=newest`,
    ],
    outcome: "no-history",
  },
  "/admin/audit/events/[eventId]": {
    admin: true,
    urls: (a) => [`/admin/audit/events/${a.foreign.event}`],
    outcome: "not-found",
  },
  "/login": { public: true, urls: () => ["/login"], outcome: "redirect" },
  "/no-workspace": { public: true, urls: () => ["/no-workspace"], outcome: "redirect" },
  "/projects": { urls: () => ["/projects"], outcome: "ok" },
  "/projects/[id]": { urls: (a) => [`/projects/${a.foreign.project}`], outcome: "not-found" },
  "/tasks": { urls: () => ["/tasks"], outcome: "ok" },
  "/tasks/[id]": { urls: (a) => [`/tasks/${a.foreign.task}`], outcome: "not-found" },
};

interface RouteCase {
  admin?: boolean;
  public?: boolean;
  /** Query strings naming the other workspace's records; `empty` ones must answer no item at all. */
  queries: (a: Attack) => { query: string; empty: boolean }[];
  /** The live stream is read over a socket of its own (`openStream`), not as one response. */
  stream?: boolean;
}

const recordQueries = (a: Attack, prefix = "") => [
  { query: `${prefix}record=task:${a.foreign.task}`, empty: true },
  { query: `${prefix}record=project:${a.foreign.project}`, empty: true },
  { query: `${prefix}record=comment:${a.foreign.comment}`, empty: true },
  { query: `${prefix}actor=${a.foreignUser}`, empty: true },
  { query: prefix.replace(/&$/, ""), empty: false },
];

const ROUTES: Record<string, RouteCase> = {
  "/api/activity": { queries: (a) => recordQueries(a) },
  "/api/activity/records": {
    queries: (a) => [
      { query: `q=${encodeURIComponent(a.foreign.marker)}`, empty: true },
      { query: `q=${encodeURIComponent(a.own.marker)}`, empty: false },
    ],
  },
  "/api/activity/stream": { stream: true, queries: (a) => recordQueries(a, "after=0&") },
  "/api/audit": { admin: true, queries: (a) => recordQueries(a) },
  "/api/audit/export": {
    admin: true,
    queries: (a) => [...recordQueries(a, "format=json&"), { query: "format=csv", empty: false }],
  },
  "/api/auth/[...nextauth]": { public: true, queries: () => [{ query: "", empty: false }] },
  "/api/health": { public: true, queries: () => [{ query: "", empty: false }] },
};
/** The URL a route pattern is called at (a catch-all needs a real segment). */
const ROUTE_URL: Record<string, string> = { "/api/auth/[...nextauth]": "/api/auth/session" };

interface ActionCase {
  admin?: boolean;
  /** Forms that name the other workspace's records, each refused with one of `codes`; null when it names none. */
  forms: ((a: Attack) => Record<string, string>[]) | null;
  codes?: string[];
  /** Why an action without forms needs none (and which test covers it instead). */
  why?: string;
  /** An admin action that names no record: the forms the role matrix sends as a member (refused). */
  memberForms?: () => Record<string, string>[];
}

const task = { title: "attack", projectId: "", assigneeId: "", dueDate: "" };

const ACTIONS: Record<string, ActionCase> = {
  createTaskAction: {
    forms: (a) => [
      { ...task, projectId: String(a.foreign.project) },
      { ...task, assigneeId: String(a.foreignUser) },
    ],
    codes: ["validation"],
  },
  updateTaskAction: {
    forms: (a) => [
      { ...task, id: String(a.foreign.task), status: "done" },
      { ...task, id: String(a.own.task), status: "done", projectId: String(a.foreign.project) },
    ],
    codes: ["not_found", "validation"],
  },
  cancelTaskAction: { forms: (a) => [{ id: String(a.foreign.task), reason: "attack" }], codes: ["not_found"] },
  deleteTaskAction: { forms: (a) => [{ id: String(a.foreign.task) }], codes: ["not_found"] },
  createCommentAction: { forms: (a) => [{ taskId: String(a.foreign.task), body: "attack" }], codes: ["not_found"] },
  deleteCommentAction: { forms: (a) => [{ id: String(a.foreign.comment) }], codes: ["not_found"] },
  createProjectAction: {
    forms: null,
    why: "names no record; the forged workspace cookie test checks which workspace it writes to",
  },
  updateProjectAction: {
    forms: (a) => [{ id: String(a.foreign.project), name: "attack", description: "" }],
    codes: ["not_found"],
  },
  deleteProjectAction: { forms: (a) => [{ id: String(a.foreign.project) }], codes: ["not_found"] },
  archiveProjectAction: { forms: (a) => [{ id: String(a.foreign.project) }], codes: ["not_found"] },
  revertEventAction: {
    admin: true,
    forms: (a): Record<string, string>[] => [
      { eventId: String(a.foreign.event) },
      { eventId: String(a.foreign.event), force: "on" },
    ],
    codes: ["not_found"],
  },
  verifyChainAction: {
    admin: true,
    forms: null,
    why: "names no record: it verifies the caller's own workspace (the role matrix sends it as a member)",
    memberForms: () => [{}],
  },
  switchWorkspaceAction: { forms: (a) => [{ workspaceId: String(a.foreign.workspaceId) }], codes: ["forbidden"] },
  signInAction: { forms: null, why: "signs in: before any workspace (e2e/auth.spec.ts)" },
  signOutAction: { forms: null, why: "ends the caller's own session: no record, no workspace" },
  "app/login/page.tsx (inline)": { forms: null, why: "the GitHub sign-in button: a redirect to GitHub, no input" },
};

/** The action table's key for a built action: its export name, or its file for an inline action. */
const actionKey = (name: string, file: string | undefined) =>
  name.startsWith("$$RSC_SERVER_ACTION_") ? `${file} (inline)` : name;

test.describe.configure({ mode: "serial" });

test("the matrix names every page, route handler and server action of the app", () => {
  expect(Object.keys(PAGES).sort(), "pages (app/**/page.tsx)").toEqual(discoveredPages());
  expect(Object.keys(ROUTES).sort(), "route handlers (app/**/route.ts)").toEqual(discoveredRoutes());
  const built = builtActionList().map((a) => actionKey(a.name, a.file));
  expect(Object.keys(ACTIONS).sort(), "server actions (the build's manifest)").toEqual([...new Set(built)].sort());
  for (const name of discoveredActions()) expect(built, `the build has ${name}`).toContain(name);
  // The admin area and the audit routes are admin-only: the role matrix must attack each of them.
  for (const page of discoveredPages().filter((p) => p.startsWith("/admin")))
    expect(PAGES[page]?.admin, page).toBe(true);
  for (const route of discoveredRoutes().filter((r) => r.startsWith("/api/audit")))
    expect(ROUTES[route]?.admin, route).toBe(true);
  for (const [name, c] of Object.entries(ACTIONS)) expect(c.forms !== null || Boolean(c.why), name).toBe(true);
});

const run = Date.now().toString(36);
const WORKSPACE_PEOPLE: Record<string, string[]> = {
  Acme: ["Alice Adams", "alice@acme.test", "Bob Brown", "bob@acme.test", "Erin Evans", "erin@acme.test"],
  Globex: ["Carol Chen", "carol@globex.test", "Frank Fox", "frank@globex.test"],
};

let sessions: Record<DemoAccount["email"], SignedIn>;
let records: Record<"Acme" | "Globex", WorkspaceRecords>;
const tally = new Tally("matrix");

test.beforeAll(async ({ browser }) => {
  const entries = await Promise.all(DEMO_ACCOUNTS.map(async (a) => [a.email, await signIn(browser, a)] as const));
  sessions = Object.fromEntries(entries) as typeof sessions;
  const acmeAdmin = sessions["alice@acme.test"];
  const globexAdmin = sessions["carol@globex.test"];
  records = {
    Acme: await createRecords(acmeAdmin, `atk-acme-${run}`),
    Globex: await createRecords(globexAdmin, `atk-globex-${run}`),
  };
});

test.afterAll(async () => {
  console.log(tally.line());
  await Promise.all(Object.values(sessions ?? {}).map((s) => s.context.close()));
});

const adminOf = (workspace: "Acme" | "Globex") =>
  sessions[workspace === "Acme" ? "alice@acme.test" : "carol@globex.test"];

function attackOf(me: SignedIn): Attack {
  const mine = me.account.workspace;
  const other = mine === "Acme" ? "Globex" : "Acme";
  return { me, own: records[mine], foreign: records[other], foreignUser: adminOf(other).userId };
}

/** The other workspace's secrets for this viewer: its markers always, its people except on public pages. */
function secretsFor(me: SignedIn, publicPage = false): string[] {
  const other = me.account.workspace === "Acme" ? "Globex" : "Acme";
  return publicPage ? [records[other].marker] : [records[other].marker, ...WORKSPACE_PEOPLE[other]!];
}

async function bodyOf(response: APIResponse, where: string, secrets: string[]) {
  tally.saw(response.status());
  const text = await response.text();
  expect(tally.leakCheck(where, text, secrets), `${where}: nothing of the other workspace`).toEqual([]);
  return text;
}

function expectPage(outcome: PageOutcome, status: number, html: string, where: string) {
  if (outcome === "redirect") return expect([307, 308], where).toContain(status);
  if (outcome === "not-found") return expect(status, where).toBe(404);
  expect(status, where).toBe(200);
  // React separates adjacent text with empty comments: "0<!-- --> event<!-- -->s".
  const text = html.replaceAll("<!-- -->", "");
  const has = (s: string) => expect(text.includes(s), `${where} shows "${s}"`).toBe(true);
  if (outcome === "not-allowed") has("Not allowed");
  if (outcome === "no-history") {
    has("0 events");
    has("Nothing has been recorded about this record.");
  }
}

for (const { email, role } of DEMO_ACCOUNTS) {
  test(`as ${email} (${role}), nothing of the other workspace: pages, routes and actions`, async () => {
    const me = sessions[email];
    const a = attackOf(me);
    const foreignAdmin = adminOf(a.foreign === records.Acme ? "Acme" : "Globex");
    const before = await markWrites(foreignAdmin);

    for (const [pattern, c] of Object.entries(PAGES)) {
      for (const url of c.urls(a)) {
        const response = await me.request.get(url, { maxRedirects: 0, failOnStatusCode: false });
        const text = await bodyOf(response, `${email} GET ${url}`, secretsFor(me, c.public));
        const outcome = c.admin && role === "member" ? "not-allowed" : c.outcome;
        expectPage(outcome, response.status(), text, `${email} GET ${url} (${pattern})`);
      }
    }

    for (const [pattern, c] of Object.entries(ROUTES)) {
      if (c.stream) continue;
      for (const { query, empty } of c.queries(a)) {
        const url = `${ROUTE_URL[pattern] ?? pattern}${query ? `?${query}` : ""}`;
        const response = await me.request.get(url, { failOnStatusCode: false });
        const text = await bodyOf(response, `${email} GET ${url}`, secretsFor(me, c.public));
        if (c.admin && role === "member") {
          expect(response.status(), url).toBe(403);
          continue;
        }
        expect(response.status(), url).toBe(200);
        if (empty) {
          // The JSON export is an array of items; the feed and the audit log are pages of them; the record
          // search lists records.
          const json = JSON.parse(text);
          expect(Array.isArray(json) ? json : (json.items ?? json.records), `${url}: no item`).toEqual([]);
        }
      }
    }

    for (const [name, c] of Object.entries(ACTIONS)) {
      for (const form of c.forms?.(a) ?? []) {
        const where = `${email} ${name}(${JSON.stringify(form)})`;
        const answer = await callAction(me.request, name, form);
        tally.saw(answer.status);
        expect(tally.leakCheck(where, answer.text, secretsFor(me)), where).toEqual([]);
        expect(answer.status, where).toBe(200);
        expect(answer.redirect, where).toBeNull();
        expect(answer.result?.ok, where).toBe(false);
        const codes = c.admin && role === "member" ? ["forbidden"] : c.codes!;
        expect(codes, `${where}: ${JSON.stringify(answer.result?.error)}`).toContain(answer.result?.error?.code);
      }
    }

    expectNothingWritten(before, await markWrites(foreignAdmin), `${email} against ${a.foreign.marker}`);
  });
}

test("a member is refused every admin page, route and action of their own workspace", async () => {
  const bob = sessions["bob@acme.test"];
  const a = { ...attackOf(bob), foreign: records.Acme };
  const before = await markWrites(adminOf("Acme"));
  const secrets = ["History of", records.Acme.marker];
  const ownUrls = (c: PageCase) => c.urls(a).map((u) => u.replace(records.Globex.marker, records.Acme.marker));
  let tried = 0;
  for (const c of Object.values(PAGES).filter((p) => p.admin)) {
    for (const url of ownUrls(c)) {
      const response = await bob.request.get(url, { failOnStatusCode: false });
      const text = await bodyOf(response, `bob GET ${url}`, url.startsWith("/admin/audit/") ? secrets : []);
      expectPage("not-allowed", response.status(), text, `bob GET ${url}`);
      tried++;
    }
  }
  for (const [pattern, c] of Object.entries(ROUTES).filter(([, r]) => r.admin)) {
    for (const { query } of c.queries(a)) {
      const response = await bob.request.get(`${pattern}?${query}`, { failOnStatusCode: false });
      await bodyOf(response, `bob GET ${pattern}?${query}`, [records.Acme.marker]);
      expect(response.status()).toBe(403);
      tried++;
    }
  }
  for (const [name, c] of Object.entries(ACTIONS).filter(([, x]) => x.admin)) {
    for (const form of c.memberForms?.() ?? c.forms!(a)) {
      const answer = await callAction(bob.request, name, form);
      tally.saw(answer.status);
      expect(answer.result?.error?.code, `bob ${name}(${JSON.stringify(form)})`).toBe("forbidden");
      tried++;
    }
  }
  // A member may delete only their own comments: alice's is refused too.
  const comment = await callAction(bob.request, "deleteCommentAction", { id: String(records.Acme.comment) });
  tally.saw(comment.status);
  expect(comment.result?.error?.code).toBe("forbidden");
  expect(tried).toBeGreaterThan(10);
  expectNothingWritten(before, await markWrites(adminOf("Acme")), "bob against admin routes");
});

test("a forged workspace cookie is ignored: pages show, and actions write to, the viewer's own workspace", async ({
  browser,
}) => {
  for (const { email } of DEMO_ACCOUNTS) {
    const me = sessions[email];
    const a = attackOf(me);
    const context = await browser.newContext({ storageState: await me.context.storageState() });
    try {
      const cookie = await context.cookies();
      const url = new URL(cookie[0]?.domain ? `http://${cookie[0].domain}` : "http://127.0.0.1");
      await context.addCookies([
        { name: "workspace", value: String(a.foreign.workspaceId), domain: url.hostname, path: "/" },
      ]);
      for (const page of ["/tasks", "/projects", "/activity", "/api/activity"]) {
        await bodyOf(await context.request.get(page), `${email} forged cookie GET ${page}`, secretsFor(me));
      }
      const name = `forged-${run}-${me.account.workspace}`;
      const answer = await callAction(context.request, "createProjectAction", { name, description: "" });
      tally.saw(answer.status);
      expect(answer.result).toMatchObject({ ok: true });
      const own = await (await me.request.get("/projects")).text();
      expect(own, "the project is in the viewer's workspace").toContain(name);
      const other = await (
        await adminOf(a.foreign === records.Acme ? "Acme" : "Globex").request.get("/projects")
      ).text();
      expect(other, "and not in the other").not.toContain(name);
    } finally {
      await context.close();
    }
  }
});

test("the live stream, replayed from the start and filtered by the other workspace's records, carries none of it", async () => {
  const streams = [];
  for (const { email } of DEMO_ACCOUNTS) {
    const me = sessions[email];
    const a = attackOf(me);
    for (const { query } of ROUTES["/api/activity/stream"]!.queries(a)) {
      streams.push({ me, a, query, stream: await openStream(me, `/api/activity/stream?${query}`) });
      tally.saw(streams.at(-1)!.stream.status);
    }
  }
  try {
    for (const s of streams) expect(s.stream.status, s.query).toBe(200);
    // Each workspace's admin writes to the other's attackers' targets: a comment on the marked task...
    for (const workspace of ["Acme", "Globex"] as const) {
      const answer = await callAction(adminOf(workspace).request, "createCommentAction", {
        taskId: String(records[workspace].task),
        body: `${records[workspace].marker} live`,
      });
      expect(answer.result).toMatchObject({ ok: true });
    }
    // ...then a sentinel in each workspace; once an unfiltered stream has it, it had every earlier event.
    const sentinels: Record<string, string> = {};
    for (const workspace of ["Acme", "Globex"] as const) {
      const answer = await callAction(adminOf(workspace).request, "createProjectAction", {
        name: `live sentinel ${run}`,
        description: "",
      });
      sentinels[workspace] = String((answer.result as unknown as { data: { id: number } }).data.id);
    }
    for (const s of streams.filter((x) => x.query === "after=0")) {
      const id = sentinels[s.me.account.workspace]!;
      await expect
        .poll(() => s.stream.events.some((e) => e.record?.type === "project" && e.record.id === id))
        .toBe(true);
    }
    for (const s of streams) {
      const where = `${s.me.account.email} stream ?${s.query}`;
      expect(tally.leakCheck(where, s.stream.text(), secretsFor(s.me)), where).toEqual([]);
      if (s.query !== "after=0") expect(s.stream.events, `${where}: no event`).toEqual([]);
    }
  } finally {
    for (const s of streams) s.stream.close();
  }
});
