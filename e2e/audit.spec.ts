import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { AuditLogPage, RecordHistoryPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

/** Creates a task on /tasks and opens it; returns its id. */
async function createTask(page: Page, title: string): Promise<number> {
  const tasks = new TasksPage(page);
  await tasks.goto();
  await tasks.addTask(title);
  return tasks.open(title);
}

/** Renames the task whose page is open. */
async function rename(page: Page, title: string) {
  const form = page.getByRole("region", { name: "Edit task" });
  await form.getByLabel("Title").fill(title);
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
}

/** The browser's local time, `ms` from now, as a datetime-local input takes it. */
function localTime(page: Page, offsetMs: number): Promise<string> {
  return page.evaluate((offset) => {
    const d = new Date(Date.now() + offset);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }, offsetMs);
}

test.describe("the audit log, for admins", () => {
  test.beforeEach(async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
  });

  test("history from the feed shows the rename, and reverting it restores the title, live in the feed", async ({
    page,
  }) => {
    const original = unique("Audit task");
    const renamed = `${original} renamed`;
    const id = await createTask(page, original);
    await rename(page, renamed);

    const feed = new ActivityPage(page);
    await feed.goto();
    const line = feed.line(`updated task ${renamed}`).first();
    await line.getByRole("link", { name: `History of task ${renamed}` }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/audit/task/${id}$`));

    const history = new RecordHistoryPage(page);
    await expect(history.heading).toBeVisible();
    const renameEvent = history.events.filter({ hasText: /Alice Adams updated/ }).filter({ hasText: renamed });
    await expect(renameEvent).toHaveCount(1);
    await expect(renameEvent.getByRole("row", { name: /Title/ })).toContainText(original);
    await expect(renameEvent.getByRole("row", { name: /Title/ })).toContainText(renamed);

    // A second page of the same context follows the feed while the revert happens.
    const watcher = await page.context().newPage();
    const watcherFeed = new ActivityPage(watcher);
    await watcherFeed.goto();
    await expect(watcherFeed.lines.first()).toBeVisible();

    await renameEvent.getByRole("button", { name: "Revert this change" }).click();
    await expect(renameEvent.getByRole("status")).toContainText("Reverted.");
    await expect(
      watcherFeed
        .line(/ reverted /)
        .filter({ hasText: original })
        .first(),
    ).toBeVisible({
      timeout: 10_000,
    });

    await page.goto(`/tasks/${id}`);
    await expect(page.getByRole("heading", { name: original, level: 1 })).toBeVisible();
    await watcher.close();
  });

  test("a revert that would overwrite a later change shows the conflict, and Revert anyway applies it", async ({
    page,
  }) => {
    const original = unique("Conflict task");
    const first = `${original} v2`;
    const second = `${original} v3`;
    const id = await createTask(page, original);
    await rename(page, first);
    await rename(page, second);

    const history = new RecordHistoryPage(page);
    await history.goto("task", id);
    const firstRename = history.events.filter({ hasText: /Alice Adams updated/ }).first();
    await expect(firstRename).toContainText(first);
    await firstRename.getByRole("button", { name: "Revert this change" }).click();

    const alert = firstRename.getByRole("alert");
    await expect(alert).toBeVisible();
    await expect(alert.getByRole("columnheader", { name: "Current value" })).toBeVisible();
    // The field by its label, as the diffs name it, not by its column ("task:12 title").
    const row = alert.getByRole("row", { name: /^Title/ });
    await expect(row.getByRole("rowheader")).toHaveText("Title");
    await expect(row).toContainText(second);
    await expect(row).toContainText(original);

    await alert.getByRole("button", { name: "Revert anyway" }).click();
    await expect(firstRename.getByRole("status")).toContainText("Reverted.");
    await page.goto(`/tasks/${id}`);
    await expect(page.getByRole("heading", { name: original, level: 1 })).toBeVisible();
  });

  test("a conflict on a reference names the field and its values as people read them", async ({ page }) => {
    const id = await createTask(page, unique("Conflict assignee"));
    const form = page.getByRole("region", { name: "Edit task" });
    for (const name of ["Bob Brown", "Alice Adams"]) {
      // A fresh page each time: the form the last save refreshes cannot reset the choice.
      await page.goto(`/tasks/${id}`);
      await form.getByLabel("Assignee").selectOption({ label: name });
      await form.getByRole("button", { name: "Save changes" }).click();
      await expect(page.getByRole("region", { name: "Activity" }).getByText(`→ ${name}`).first()).toBeVisible();
    }

    const history = new RecordHistoryPage(page);
    await history.goto("task", id);
    const toBob = history.events.filter({ hasText: /Alice Adams updated/ }).filter({ hasText: "none" });
    await expect(toBob).toHaveCount(1);
    await toBob.getByRole("button", { name: "Revert this change" }).click();

    const alert = toBob.getByRole("alert");
    const row = alert.getByRole("row", { name: /^Assignee/ });
    await expect(row.getByRole("rowheader")).toHaveText("Assignee");
    await expect(row.getByRole("cell")).toHaveText(["Alice Adams", "none"]);
    await expect(alert).not.toContainText("assignee_id");
    await alert.getByRole("button", { name: "Cancel" }).click();
    await expect(alert).toBeHidden();
  });

  test("the log offers CSV, JSON and NDJSON exports", async ({ page }) => {
    const audit = new AuditLogPage(page);
    await audit.goto();
    await expect(audit.table.getByRole("row").nth(1)).toBeVisible();
    for (const label of ["CSV", "JSON", "NDJSON"] as const) await expect(audit.exportLink(label)).toBeVisible();

    const href = await audit.exportLink("CSV").getAttribute("href");
    expect(href).toContain("format=csv");
    const response = await page.request.get(href!);
    expect(response.status()).toBe(200);
    expect(await response.text()).toMatch(/^id,occurred_at,/);

    const download = page.waitForEvent("download");
    await audit.exportLink("CSV").click();
    expect((await download).suggestedFilename()).toMatch(/\.csv$/);
  });

  test("filters stay in the URL", async ({ page }) => {
    const audit = new AuditLogPage(page);
    await audit.goto();
    const filters = page.getByRole("form", { name: "Filters" });
    await filters.getByLabel("Record type").selectOption("task");
    await filters.getByLabel("Action").selectOption({ label: "Updated" });
    await filters.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/type=task/);
    await expect(page).toHaveURL(/action=update/);
    await expect(filters.getByLabel("Record type")).toHaveValue("task");
    const rows = audit.table.getByRole("row");
    await expect(rows.nth(1)).toContainText("Updated");
    await expect(rows.filter({ hasText: /project:|comment:/ })).toHaveCount(0);
  });

  test("time travel shows the record before it existed and after the rename", async ({ page }) => {
    const original = unique("Time task");
    const renamed = `${original} later`;
    const before = await localTime(page, -120_000);
    const id = await createTask(page, original);
    await rename(page, renamed);
    const after = await localTime(page, 2_000);

    const history = new RecordHistoryPage(page);
    await history.goto("task", id);
    await history.timeTravel(before);
    await expect(history.state).toContainText("did not exist yet");

    await page.waitForTimeout(2_100);
    await history.timeTravel(after);
    await expect(page).toHaveURL(/at=/);
    await expect(history.state).toContainText(renamed);
  });

  test("time travel marks what differs from now, compares two instants, and goes back to the present", async ({
    page,
  }) => {
    const original = unique("Compare task");
    const renamed = `${original} later`;
    const id = await createTask(page, original);
    // datetime-local holds whole seconds: an instant clearly between the create and the rename.
    await page.waitForTimeout(1_500);
    const between = await localTime(page, 0);
    await page.waitForTimeout(1_500);
    await rename(page, renamed);
    await page.waitForTimeout(1_100);
    const after = await localTime(page, 0);

    const history = new RecordHistoryPage(page);
    await history.goto("task", id);
    await history.timeTravel(between);
    const title = history.state.getByRole("row", { name: /^Title/ });
    await expect(title).toContainText(original);
    await expect(title).toContainText(renamed); // the present, beside it
    await expect(title).toHaveAttribute("data-differs", "");
    await expect(title.getByRole("rowheader")).toHaveText("Title (differs)");
    await expect(history.state).toContainText(/1 field differs from now\./);
    await expect(history.state.getByRole("columnheader", { name: "Now" })).toBeVisible();
    await expect(history.state.getByRole("row", { name: /^Status/ })).not.toHaveAttribute("data-differs", "");

    // Two instants: the state between create and rename against the state after it.
    const form = page.getByRole("form", { name: "Time travel" });
    await form.getByLabel("Compare with (optional)").fill(after);
    await form.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/compare=/);
    await expect(history.state).toContainText(/1 field differs from the other time\./);
    await expect(history.state.getByRole("columnheader", { name: "Now" })).toHaveCount(0);
    await expect(title).toContainText(renamed);

    await page.getByRole("link", { name: "Back to present" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/audit/task/${id}$`));
    await expect(history.state).toHaveCount(0);
  });
});

test.describe("the audit log, for members", () => {
  test("is not allowed, on the pages and the APIs", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.bob);
    await page.goto("/admin/audit");
    await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    await page.goto("/admin/audit/task/1");
    await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    expect((await page.request.get("/api/audit")).status()).toBe(403);
    expect((await page.request.get("/api/audit/export?format=csv")).status()).toBe(403);

    // Nor do they see the history links.
    await page.goto("/activity");
    await expect(new ActivityPage(page).lines.first()).toBeVisible();
    await expect(page.getByRole("link", { name: /^History of / })).toHaveCount(0);
  });
});
