import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

const projectLink = (page: Page, name: string) =>
  page.getByRole("list", { name: "Projects" }).getByRole("link", { name, exact: true });

async function addProject(page: Page, name: string) {
  await page.goto("/projects");
  const form = page.getByRole("region", { name: "New project" });
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Add project" }).click();
  await expect(projectLink(page, name)).toBeVisible();
}

async function openProject(page: Page, name: string) {
  await page.goto("/projects");
  await projectLink(page, name).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
}

test("archiving a project cancels its open tasks, and the feed shows them inside the archive", async ({ page }) => {
  test.slow(); // a project, two tasks, the archive and three pages read back
  await new LoginPage(page).signInAs(DEMO.alice);
  const name = unique("Launch");
  await addProject(page, name);

  const tasks = new TasksPage(page);
  await tasks.goto();
  const titles = [unique("Write the notes"), unique("Book the room")];
  for (const title of titles) {
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Project").selectOption({ label: name });
    await page.getByRole("button", { name: "Add task" }).click();
    await expect(tasks.taskLink(title)).toBeVisible();
  }

  await openProject(page, name);
  const archive = page.getByRole("region", { name: "Archive" });
  await expect(archive).toContainText("(2 tasks now)");
  await archive.getByRole("button", { name: "Archive project" }).click();
  // A second step, as for a delete: the first click changes nothing.
  await expect(page.getByText("Archived", { exact: true })).toHaveCount(0);
  await archive.getByRole("button", { name: "Confirm archive" }).click();
  await expect(archive.getByRole("status")).toHaveText(
    "This project is archived: its open tasks were cancelled when it was.",
  );
  await expect(page.getByText("Archived", { exact: true })).toBeVisible();
  const projectTasks = page.getByRole("region", { name: "Project tasks" }).getByRole("listitem");
  await expect(projectTasks).toHaveText(titles.map((title) => new RegExp(`^Cancelled\\s*${title}$`)).reverse());

  // The feed: the archive is one line, with the cancellations inside it, collapsed.
  const feed = new ActivityPage(page);
  await feed.goto();
  const top = feed.lines.first();
  // (Alice is an admin: her lines end in a History link.)
  await expect(top.getByRole("paragraph").first()).toHaveText(`Alice Adams archived project ${name} History`);
  const toggle = top.getByRole("button", { name: "2 events inside" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(top).not.toContainText("cancelled task");
  await toggle.click();
  const parts = top.getByRole("list", { name: "2 events inside" }).getByRole("listitem");
  await expect(parts).toHaveCount(2);
  for (const [i, title] of [...titles].reverse().entries()) {
    await expect(parts.nth(i)).toContainText(`Alice Adams cancelled task ${title}`);
    await expect(parts.nth(i)).toContainText(`Part of: Alice Adams archived project ${name}`);
    await expect(parts.nth(i)).toContainText(`Reason: The project ${name} was archived.`);
  }
  // Nowhere else in the feed: the nested lines are not also lines of their own.
  await expect(feed.lines.filter({ hasText: "cancelled task" }).filter({ hasText: titles[0]! })).toHaveCount(1);

  // Alone, a nested line says what it was part of: the feed narrowed to the task, and the task's page.
  await parts
    .nth(1)
    .getByRole("link", { name: `Only task ${titles[0]}` })
    .click();
  const alone = feed.line(`cancelled task ${titles[0]}`);
  await expect(alone).toHaveCount(1);
  await expect(alone.getByRole("paragraph").nth(1)).toHaveText(`Part of: Alice Adams archived project ${name}`);

  await tasks.goto();
  await tasks.open(titles[0]!);
  const activity = page.getByRole("region", { name: "Activity" });
  const cancelled = activity.getByRole("listitem").filter({ hasText: `cancelled task ${titles[0]}` });
  await expect(cancelled).toContainText(`Part of: Alice Adams archived project ${name}`);
});

test("archiving a project a second time, from a page opened before, is refused with a clear message", async ({
  browser,
}) => {
  test.slow(); // two pages archive the same project
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signInAs(DEMO.alice);
  const name = unique("Twice");
  await addProject(page, name);
  await openProject(page, name);
  const other = await context.newPage();
  await other.goto(page.url());

  for (const p of [page, other]) await p.getByRole("button", { name: "Archive project" }).click();
  await page.getByRole("button", { name: "Confirm archive" }).click();
  await expect(page.getByRole("region", { name: "Archive" }).getByRole("status")).toBeVisible();
  await other.getByRole("button", { name: "Confirm archive" }).click();
  await expect(other.getByText("This project is already archived.")).toBeVisible();
  await context.close();
});
