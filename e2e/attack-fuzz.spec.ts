import fc from "fast-check";
import { DEMO_ACCOUNTS } from "@/lib/db/demo-accounts";
import { createRecords, type SignedIn, signIn, type WorkspaceRecords } from "./attack/accounts";
import { callAction } from "./attack/server-action";
import { Tally } from "./attack/tally";
import { expectNothingWritten, markWrites } from "./attack/workspace-writes";
import { expect, test } from "./fixtures";

// Fuzzing every server action's input over real HTTP (issue 13): whatever the form holds, the answer is a
// field error or a refusal, never a 500 or an "internal" failure, and only a create with valid input writes
// (counted: the workspace's log grows by exactly the accepted calls). Id fields get the other workspace's
// ids, ids of nothing, and malformed ones — never a small integer that could name a demo record, so the
// fuzzing cannot delete or revert the seed the other specs read.

const RUNS = Number(process.env.ATTACK_FUZZ_RUNS ?? 20);

type Kind = "task" | "project" | "comment" | "event" | "workspace" | "user";

/** Each action's text fields, and its id fields with the kind of record each names. */
const FORMS: Record<string, { text: string[]; ids: Record<string, Kind> }> = {
  createTaskAction: { text: ["title", "dueDate"], ids: { projectId: "project", assigneeId: "user" } },
  updateTaskAction: {
    text: ["title", "status", "dueDate"],
    ids: { id: "task", projectId: "project", assigneeId: "user" },
  },
  cancelTaskAction: { text: ["reason"], ids: { id: "task" } },
  deleteTaskAction: { text: [], ids: { id: "task" } },
  createCommentAction: { text: ["body"], ids: { taskId: "task" } },
  deleteCommentAction: { text: [], ids: { id: "comment" } },
  createProjectAction: { text: ["name", "description"], ids: {} },
  updateProjectAction: { text: ["name", "description"], ids: { id: "project" } },
  deleteProjectAction: { text: [], ids: { id: "project" } },
  revertEventAction: { text: ["force"], ids: { eventId: "event" } },
  switchWorkspaceAction: { text: [], ids: { workspaceId: "workspace" } },
};

const REFUSALS = ["validation", "not_found", "forbidden", "bad_request", "conflict"];

const text = fc.oneof(
  fc.constantFrom("", " ", "x", "done", "todo", "on", "true", "2026-02-30", "2026-01-01", "\u0000", "\ud800", "'; --"),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ minLength: 190, maxLength: 6000 }),
);

/** Ids for a field naming a `kind`: the other workspace's one of that kind (ids of one kind are unique
 * across workspaces; another kind's id could name a record of ours), ids of nothing, malformed ids. */
function idOf(kind: Kind, foreign: WorkspaceRecords, foreignUser: number) {
  const theirs = { ...foreign, workspace: foreign.workspaceId, user: foreignUser }[kind];
  return fc.oneof(
    fc.constantFrom(
      String(theirs),
      "2147483647",
      "2147483648",
      "9007199254740993",
      "0",
      "-1",
      "01",
      "1e3",
      "0x10",
      " 1",
      "",
    ),
    fc.string({ maxLength: 12 }).filter((v) => !/^\d+$/.test(v)),
    fc.integer({ min: 1_000_000_000, max: 2_147_483_647 }).map(String),
  );
}

let alice: SignedIn;
let carol: SignedIn;
let globex: WorkspaceRecords;
const tally = new Tally("action fuzz");

test.beforeAll(async ({ browser }) => {
  [alice, carol] = await Promise.all([
    signIn(browser, DEMO_ACCOUNTS.find((a) => a.email === "alice@acme.test")!),
    signIn(browser, DEMO_ACCOUNTS.find((a) => a.email === "carol@globex.test")!),
  ]);
  globex = await createRecords(carol, `atk-fuzz-${Date.now().toString(36)}`);
});

test.afterAll(async () => {
  console.log(tally.line());
  await alice?.context.close();
  await carol?.context.close();
});

test("fuzzed input to every server action is refused or accepted, never a 500, and writes only what it accepted", async () => {
  test.setTimeout(180_000);
  const before = { acme: await markWrites(alice), globex: await markWrites(carol) };
  let accepted = 0;
  for (const [name, form] of Object.entries(FORMS)) {
    const fields: Record<string, fc.Arbitrary<string>> = {};
    for (const key of form.text) fields[key] = text;
    for (const [key, kind] of Object.entries(form.ids)) fields[key] = idOf(kind, globex, carol.userId);
    const input = fc.tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), text, { maxKeys: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(input, async ([known, extra]) => {
        const form = { ...extra, ...known } as Record<string, string>;
        const answer = await callAction(alice.request, name, form);
        tally.saw(answer.status);
        const where = `${name}(${JSON.stringify(form).slice(0, 300)})`;
        expect(answer.status, where).toBe(200);
        expect(answer.result, `${where}: ${answer.text.slice(0, 300)}`).not.toBeNull();
        if (answer.result!.ok) {
          expect(name, `${where} was accepted`).toMatch(/^create(Task|Project)Action$/);
          accepted++;
          return;
        }
        expect(REFUSALS, `${where}: ${JSON.stringify(answer.result!.error)}`).toContain(answer.result!.error!.code);
        expect(answer.redirect, where).toBeNull();
      }),
      { numRuns: RUNS },
    );
  }
  expectNothingWritten(before.globex, await markWrites(carol), "Globex, under Alice's fuzzing");
  expectNothingWritten(before.acme, await markWrites(alice), "Acme, under Alice's fuzzing", accepted);
  console.log(`attack action fuzz: ${accepted} creates accepted with valid input`);
});
