import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { RecordHistoryPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

async function createTask(page: Page, title: string): Promise<number> {
  const tasks = new TasksPage(page);
  await tasks.goto();
  await tasks.addTask(title);
  return tasks.open(title);
}

async function assignTo(page: Page, name: string) {
  const form = page.getByRole("region", { name: "Edit task" });
  await form.getByLabel("Assignee").selectOption({ label: name });
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("region", { name: "Activity" }).getByText(`Assignee: none → ${name}`)).toBeVisible();
}

test.describe("changes people can read", () => {
  test("an assignee change reads by name in the feed and in the record's history", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
    const title = unique("Readable task");
    const id = await createTask(page, title);
    await assignTo(page, "Bob Brown");

    const feed = new ActivityPage(page);
    await feed.goto();
    const line = feed.line(`updated task ${title}`).first();
    await expect(line).toContainText("Assignee: none → Bob Brown");
    await expect(line).not.toContainText("assignee_id");

    const history = new RecordHistoryPage(page);
    await history.goto("task", id);
    await expect(history.heading).toHaveText(`History of task ${title}`);
    const row = history.event("Bob Brown").getByRole("row", { name: /^Assignee/ });
    await expect(row).toContainText("none");
    await expect(row).toContainText("Bob Brown");
    // The create lists what the task holds, without its id, workspace or timestamps.
    const created = history.events.filter({ hasText: /Alice Adams created/ });
    await expect(created.getByRole("row", { name: /^Title/ })).toContainText(title);
    await expect(created.getByRole("row", { name: /workspace|created_at|^id/i })).toHaveCount(0);
  });
});

test.describe("revert, safe and legible", () => {
  test.beforeEach(async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
  });

  test("undoing a create asks first, keeps the reason, and marks the undone event", async ({ page }) => {
    const title = unique("Revert confirm");
    const id = await createTask(page, title);
    const history = new RecordHistoryPage(page);
    await history.goto("task", id);
    const created = history.events.filter({ hasText: /Alice Adams created/ });

    // Nothing happens without confirming; Escape and Cancel close the question.
    await created.getByRole("button", { name: "Revert this change" }).click();
    const confirm = created.getByRole("form", { name: "Confirm the revert" });
    await expect(confirm).toContainText(`deletes task ${title}`);
    await expect(confirm.getByLabel("Reason (optional)")).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(confirm).toHaveCount(0);
    await expect(created.getByRole("button", { name: "Revert this change" })).toBeFocused();
    await created.getByRole("button", { name: "Revert this change" }).click();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toHaveCount(0);

    await created.getByRole("button", { name: "Revert this change" }).click();
    await confirm.getByLabel("Reason (optional)").fill("Made by mistake");
    await confirm.getByRole("button", { name: "Revert and delete" }).click();
    await expect(created.getByRole("status")).toContainText("Reverted.");
    await expect(created.getByRole("status")).toBeFocused();

    await page.reload();
    await expect(history.heading).toHaveText(`History of task ${title}`);
    const undone = history.events.filter({ hasText: /Alice Adams created/ });
    await expect(undone).toContainText("Reverted by Alice Adams");
    await expect(undone.getByRole("button", { name: "Revert this change" })).toHaveCount(0);
    const revert = history.events.filter({ hasText: /Alice Adams reverted/ });
    await expect(revert).toContainText(`Alice Adams reverted Alice Adams’s change to task ${title}`);
    await expect(revert).toContainText("Why: Made by mistake");
    await revert.getByRole("link", { name: "Alice Adams’s change" }).click();
    await expect(page).toHaveURL(/#event-\d+$/);
  });

  test("a conflict panel closes on Escape and on Cancel", async ({ page }) => {
    const title = unique("Conflict close");
    const id = await createTask(page, title);
    const form = page.getByRole("region", { name: "Edit task" });
    for (const next of [`${title} v2`, `${title} v3`]) {
      await form.getByLabel("Title").fill(next);
      await form.getByRole("button", { name: "Save changes" }).click();
      await expect(page.getByRole("heading", { name: next, level: 1 })).toBeVisible();
    }
    const history = new RecordHistoryPage(page);
    await history.goto("task", id);
    const first = history.events.filter({ hasText: /Alice Adams updated/ }).first();
    const button = first.getByRole("button", { name: "Revert this change" });
    await button.click();
    const alert = first.getByRole("alert");
    await expect(alert).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(alert).toHaveCount(0);
    await expect(button).toBeFocused();
    await button.click();
    await alert.getByRole("button", { name: "Cancel" }).click();
    await expect(alert).toHaveCount(0);
  });
});

test.describe("activity where the record is", () => {
  test("a member sees a task's events, comments included, live, and who edited it last", async ({ browser, page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
    const title = unique("Record activity");
    const id = await createTask(page, title);

    const bobContext = await browser.newContext();
    const bob = await bobContext.newPage();
    await new LoginPage(bob).signInAs(DEMO.bob);
    await bob.goto(`/tasks/${id}`);
    const activity = bob.getByRole("region", { name: "Activity" });
    await expect(activity.getByRole("listitem").filter({ hasText: `Alice Adams created task ${title}` })).toBeVisible();
    await expect(bob.getByText("Last edited by Alice Adams")).toBeVisible();

    // Alice comments: the line arrives on Bob's open page, with an excerpt and a link to the task.
    const comment = page.getByRole("region", { name: "Comments" });
    await comment.getByLabel("Comment").fill("Checked the logs, the redirect drops the query string");
    await comment.getByRole("button", { name: "Add comment" }).click();
    const line = activity.getByRole("listitem").filter({ hasText: "the redirect drops the query string" });
    await expect(line).toBeVisible({ timeout: 10_000 });
    await expect(line.getByRole("link", { name: `comment on ${title}`, exact: true })).toHaveAttribute(
      "href",
      `/tasks/${id}`,
    );
    await bobContext.close();
  });
});
