import { randomUUID } from "node:crypto";
import { expect, test } from "./fixtures";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

test("creates, edits and deletes a task", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  const tasks = new TasksPage(page);
  const title = unique("Water the plants");
  await tasks.addTask(title);
  await expect(page.getByLabel("Title")).toHaveValue("");

  await tasks.open(title);
  const renamed = `${title} (renamed)`;
  await page.getByLabel("Title").fill(renamed);
  await page.getByLabel("Status").selectOption({ label: "Doing" });
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByRole("heading", { name: renamed, level: 1 })).toBeVisible();

  await page.getByRole("button", { name: "Delete task" }).click();
  await page.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page).toHaveURL(/\/tasks$/);
  await expect(tasks.taskLink(renamed)).toHaveCount(0);
});

test("an empty title is refused next to the field, and nothing is created", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  const before = await page.getByRole("list", { name: "Tasks" }).getByRole("listitem").count();
  await page.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByText("Title is required.")).toBeVisible();
  await expect(page.getByLabel("Title")).toHaveAttribute("aria-invalid", "true");
  await page.reload();
  await expect(page.getByRole("list", { name: "Tasks" }).getByRole("listitem")).toHaveCount(before);
});

test("a Globex user cannot see Acme's tasks", async ({ browser, consoleErrors }) => {
  consoleErrors.allow(/status of 404/);
  const acme = await browser.newContext();
  const acmePage = await acme.newPage();
  await new LoginPage(acmePage).signInAs(DEMO.alice);
  const tasks = new TasksPage(acmePage);
  const title = unique("Acme secret");
  await tasks.addTask(title);
  const id = await tasks.open(title);

  const globex = await browser.newContext();
  const globexPage = await globex.newPage();
  await new LoginPage(globexPage).signInAs(DEMO.carol);
  await expect(globexPage.getByText("Carol Chen · admin")).toBeVisible();
  await expect(globexPage.getByText(title)).toHaveCount(0);
  await globexPage.goto(`/tasks/${id}`);
  await expect(globexPage.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(globexPage.getByText(title)).toHaveCount(0);

  await acme.close();
  await globex.close();
});

test("cancelling a task asks for a reason", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.bob);
  const tasks = new TasksPage(page);
  const title = unique("Order more coffee");
  await tasks.addTask(title);
  await tasks.open(title);
  const cancel = page.getByRole("region", { name: "Cancel task" });
  await cancel.getByRole("button", { name: "Cancel task" }).click();
  await expect(cancel.getByText("Say why the task is cancelled.")).toBeVisible();
  await cancel.getByLabel("Reason").fill("The office switched to tea");
  await cancel.getByRole("button", { name: "Cancel task" }).click();
  await expect(page.getByRole("heading", { name: title, level: 1 }).locator("..").getByText("Cancelled")).toBeVisible();
  await expect(page.getByRole("region", { name: "Cancel task" })).toHaveCount(0);
});
