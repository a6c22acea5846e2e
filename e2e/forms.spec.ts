import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

interface AuditItem {
  action: string;
  changes: { op: string; changes?: Record<string, [unknown, unknown]> }[];
}

/** The task's events, oldest first, from the audit API. */
async function history(page: Page, id: number): Promise<AuditItem[]> {
  const response = await page.request.get(`/api/audit?record=task:${id}&limit=100`);
  expect(response.status()).toBe(200);
  return ((await response.json()).items as AuditItem[]).reverse();
}

const changedFields = (item: AuditItem) => item.changes.flatMap((c) => Object.keys(c.changes ?? {}));

async function save(page: Page) {
  const form = page.getByRole("region", { name: "Edit task" });
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(form.getByRole("button", { name: "Save changes" })).toBeEnabled();
}

test.describe("the task edit form", () => {
  test.beforeEach(async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
  });

  test("keeps the saved status, project and assignee when only the title changes next", async ({ page }) => {
    const tasks = new TasksPage(page);
    const title = unique("Sort the mail");
    await tasks.addTask(title);
    const id = await tasks.open(title);
    const form = page.getByRole("region", { name: "Edit task" });

    await form.getByLabel("Status").selectOption({ label: "Doing" });
    await form.getByLabel("Project").selectOption({ index: 1 });
    await form.getByLabel("Assignee").selectOption({ label: "Bob Brown" });
    const project = await form.getByLabel("Project").inputValue();
    const assignee = await form.getByLabel("Assignee").inputValue();
    await save(page);
    await expect(page.getByRole("heading", { name: title, level: 1 }).locator("..").getByText("Doing")).toBeVisible();
    await expect(form.getByLabel("Status")).toHaveValue("doing");
    await expect(form.getByLabel("Project")).toHaveValue(project);
    await expect(form.getByLabel("Assignee")).toHaveValue(assignee);

    const renamed = `${title} (renamed)`;
    await form.getByLabel("Title").fill(renamed);
    await save(page);
    await expect(page.getByRole("heading", { name: renamed, level: 1 })).toBeVisible();
    await expect(form.getByLabel("Status")).toHaveValue("doing");
    await expect(form.getByLabel("Project")).toHaveValue(project);
    await expect(form.getByLabel("Assignee")).toHaveValue(assignee);

    await page.reload();
    await expect(form.getByLabel("Status")).toHaveValue("doing");
    await expect(page.getByRole("heading", { name: renamed, level: 1 }).locator("..").getByText("Doing")).toBeVisible();

    // The audit log: the status changed once, and the rename changed the title alone.
    const events = await history(page, id);
    expect(events.map((e) => e.action)).toEqual(["insert", "update", "update"]);
    expect(changedFields(events[1]!).sort()).toEqual(["assignee_id", "project_id", "status"]);
    expect(changedFields(events[2]!)).toEqual(["title"]);
  });

  test("a project's edit form shows what was saved", async ({ page }) => {
    await page.goto("/projects");
    const name = unique("Garden");
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Add project" }).click();
    await page.getByRole("list", { name: "Projects" }).getByRole("link", { name, exact: true }).click();
    await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
    // The form's fields: the page's Activity section also holds links whose names say "renamed".
    const form = page.getByRole("region", { name: "Edit project" });
    await form.getByLabel("Name").fill(`  ${name} (renamed)  `);
    await form.getByLabel("Description").fill("Beds and paths");
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await expect(form.getByLabel("Name")).toHaveValue(`${name} (renamed)`);
    await expect(form.getByLabel("Description")).toHaveValue("Beds and paths");
  });

  test("input the database cannot take is a field error, and nothing is written", async ({ page }) => {
    const tasks = new TasksPage(page);
    const title = unique("Paint the fence");
    await tasks.addTask(title);
    const id = await tasks.open(title);
    const form = page.getByRole("region", { name: "Edit task" });
    const before = await history(page, id);

    // A NUL character in the title.
    await form.getByLabel("Title").evaluate((input: HTMLInputElement) => {
      input.value = "Paint\u0000the fence";
    });
    await save(page);
    await expect(form.getByText("Remove the NUL character.")).toBeVisible();
    await expect(form.getByLabel("Title")).toHaveAttribute("aria-invalid", "true");

    // A due date in year 0.
    await form.getByLabel("Title").fill(title);
    await form.getByLabel("Due date").evaluate((input: HTMLInputElement) => {
      input.type = "text";
      input.value = "0000-01-01";
    });
    await save(page);
    await expect(form.getByText("Enter a date between the years 1 and 9999.")).toBeVisible();

    // Ids that are not plain decimal integers of the database's range.
    await form.getByLabel("Due date").fill("");
    for (const bad of ["2147483648", "0x10", " 12 "]) {
      await form.getByLabel("Project").evaluate((select: HTMLSelectElement, value) => {
        select.options[1]!.value = value;
        select.selectedIndex = 1;
      }, bad);
      await save(page);
      await expect(form.getByText("Choose one from the list.")).toBeVisible();
      await expect(form.getByLabel("Project")).toHaveAttribute("aria-invalid", "true");
    }
    await form.getByLabel("Project").selectOption({ index: 0 });
    await form.locator('input[name="id"]').evaluate((input: HTMLInputElement) => {
      input.value = "2147483648";
    });
    await save(page);
    await expect(form.getByText("This form names a record that does not exist: reload the page.")).toBeVisible();

    // A comment with a NUL character, and one on a task id out of range.
    const comments = page.getByRole("region", { name: "Comments" });
    await comments.getByLabel("Comment").evaluate((input: HTMLTextAreaElement) => {
      input.value = "Done\u0000";
    });
    await comments.getByRole("button", { name: "Add comment" }).click();
    await expect(comments.getByText("Remove the NUL character.")).toBeVisible();
    await comments.getByLabel("Comment").fill("Done");
    await comments.locator('input[name="taskId"]').evaluate((input: HTMLInputElement) => {
      input.value = "99999999999";
    });
    await comments.getByRole("button", { name: "Add comment" }).click();
    await expect(comments.getByText("This form names a record that does not exist: reload the page.")).toBeVisible();

    // A cancel reason with a NUL character.
    const cancel = page.getByRole("region", { name: "Cancel task" });
    await cancel.getByLabel("Reason").evaluate((input: HTMLInputElement) => {
      input.value = "No\u0000longer needed";
    });
    await cancel.getByRole("button", { name: "Cancel task" }).click();
    await expect(cancel.getByText("Remove the NUL character.")).toBeVisible();

    expect(await history(page, id)).toEqual(before);
    await page.reload();
    await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
    await expect(page.getByRole("list", { name: "Comments" })).toHaveCount(0);
  });

  test("a project name or description with a NUL character is a field error", async ({ page }) => {
    await page.goto("/projects");
    const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Add project" }) });
    await form.getByLabel("Name").evaluate((input: HTMLInputElement) => {
      input.value = "Gar\u0000den";
    });
    await form.getByRole("button", { name: "Add project" }).click();
    await expect(form.getByText("Remove the NUL character.")).toBeVisible();
    await form.getByLabel("Name").fill(unique("Garden"));
    await form.getByLabel("Description").evaluate((input: HTMLTextAreaElement) => {
      input.value = "Beds\u0000";
    });
    await form.getByRole("button", { name: "Add project" }).click();
    await expect(form.getByText("Remove the NUL character.")).toBeVisible();
    await expect(form.getByLabel("Description")).toHaveAttribute("aria-invalid", "true");
  });
});
