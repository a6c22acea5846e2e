import { describe, expect, it } from "vitest";
import { changesText } from "@/lib/activity";
import { createOperations } from "@/lib/demo/operations";
import { allEvents, testKit } from "@/test/activity";
import { setupTestDb } from "@/test/db";
import { createWorkspace } from "@/test/fixtures";
import { adminViewer, data } from "@/test/operations";

const t = setupTestDb();

/** This app's registrations (the seam's `fields`) read by people: names, not ids and column names. */
describe("the demo's changes as people read them", () => {
  it("say Status, Assignee and Project by name, and a create shows its meaningful fields only", async () => {
    const { workspace, members } = await createWorkspace(t.db, "Acme", ["admin", "member"]);
    const [alice, bob] = members;
    const viewer = adminViewer(workspace, alice!);
    const kit = testKit(() => t.db);
    const ops = createOperations(kit);
    const website = data(await ops.createProject(viewer, { name: "Website", description: "" }));
    const launch = data(await ops.createProject(viewer, { name: "Launch", description: "" }));
    const task = data(
      await ops.createTask(viewer, { title: "Fix login", projectId: website.id, assigneeId: null, dueDate: null }),
    );
    data(
      await ops.updateTask(viewer, {
        id: task.id,
        title: "Fix login",
        status: "doing",
        projectId: launch.id,
        assigneeId: bob!.id,
        dueDate: null,
      }),
    );
    data(await ops.createComment(viewer, { taskId: task.id, body: "On it, see the logs" }));
    const items = await kit.toItems((await allEvents(t.db)).map((r) => ({ ...r, seq: null })));
    const [created, updated, commented] = items.slice(2);

    expect(changesText(created!.readable)).toBe(
      "task Fix login created: Title: Fix login; Status: To do; Project: Website",
    );
    expect(updated!.readable[0]!.fields.map((f) => `${f.label}: ${f.before} → ${f.after}`)).toEqual([
      "Status: To do → Doing",
      "Project: Website → Launch",
      `Assignee: none → ${bob!.name}`,
    ]);
    // A comment: its text is the record's name, and it links to its task.
    expect(commented!.record).toMatchObject({
      type: "comment",
      label: "On it, see the logs",
      href: `/tasks/${task.id}`,
    });
    expect(commented!.readable[0]!.fields.map((f) => f.label)).toEqual(["Comment", "Task", "Author"]);

    // A project renamed since: the lines that mention it say its name now.
    data(await ops.updateProject(viewer, { id: website.id, name: "Site", description: "" }));
    const again = await kit.toItems((await allEvents(t.db)).map((r) => ({ ...r, seq: null })));
    expect(again.find((i) => i.id === updated!.id)!.readable[0]!.fields[1]).toMatchObject({ before: "Site" });
  });
});
