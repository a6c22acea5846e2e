import { randomUUID } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await new LoginPage(page).signInAs(email);
  return page;
}

test("tasks created in a row by one person read as one line that the keyboard expands to each", async ({ browser }) => {
  test.slow(); // two sign-ins and four tasks: near the default timeout on a loaded machine
  // Bob's task first, so Alice's run starts with the three below and nothing older joins it.
  const bob = await signedIn(browser, DEMO.bob);
  const bobTasks = new TasksPage(bob);
  await bobTasks.goto();
  await bobTasks.addTask(unique("Before the run"));

  const alice = await signedIn(browser, DEMO.alice);
  const tasks = new TasksPage(alice);
  await tasks.goto();
  const titles = [unique("Run one"), unique("Run two"), unique("Run three")];
  for (const title of titles) await tasks.addTask(title);

  const feed = new ActivityPage(alice);
  await feed.goto();
  const top = feed.lines.first();
  await expect(top.getByRole("paragraph").first()).toHaveText("Alice Adams created 3 tasks");
  // Collapsed, the run does not list its events as lines; it names their tasks, newest first.
  await expect(top.getByRole("listitem")).toHaveCount(0);
  await expect(top).toContainText([...titles].reverse().join(", "));
  const toggle = top.getByRole("button", { name: "3 events" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");

  // Keyboard only: Tab from the line's own links (the name, the funnel) to the button, then Enter.
  await top.getByRole("link", { name: "Alice Adams", exact: true }).focus();
  await alice.keyboard.press("Tab");
  await expect(top.getByRole("link", { name: "Only what Alice Adams created" })).toBeFocused();
  await alice.keyboard.press("Tab");
  await expect(toggle).toBeFocused();
  await alice.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  const region = alice.locator(`#${await toggle.getAttribute("aria-controls")}`);
  const lines = region.getByRole("list", { name: "3 events" }).getByRole("listitem");
  await expect(lines).toHaveText([...titles].reverse().map((title) => new RegExp(`Alice Adams created task ${title}`)));
  await expect(toggle).toBeFocused();

  // Space closes it again.
  await alice.keyboard.press(" ");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(region).toBeHidden();
  await alice.context().close();
  await bob.context().close();
});

test("a collapsed run's funnel narrows the feed to its person and its action", async ({ page }) => {
  test.slow(); // two tasks and two feeds read back
  await new LoginPage(page).signInAs(DEMO.alice);
  const tasks = new TasksPage(page);
  await tasks.goto();
  for (const title of [unique("Narrow one"), unique("Narrow two")]) await tasks.addTask(title);
  const feed = new ActivityPage(page);
  await feed.goto();
  const top = feed.lines.first();
  await expect(top.getByRole("paragraph").first()).toHaveText(/^Alice Adams created \d+ tasks\s*$/);
  // A run stands for several records, so its funnel narrows by who and what, not by a record.
  await top.getByRole("link", { name: "Only what Alice Adams created" }).click();
  await expect(page).toHaveURL(/\/activity\?actor=\d+&action=insert$/);
  await expect(feed.removeChip("User: Alice Adams")).toBeVisible();
  await expect(feed.removeChip("Action: Created")).toBeVisible();
  await expect(feed.lines.first()).toBeVisible();
  await expect(feed.lines.filter({ hasNotText: "Alice Adams created " })).toHaveCount(0);
  // Narrowed to it already, the run offers no funnel.
  await expect(feed.lines.first().getByRole("paragraph").first()).toHaveText(/^Alice Adams created \d+ tasks\s*$/);
  await expect(feed.list.getByRole("link", { name: /^Only what / })).toHaveCount(0);
});

test("one person's quick edits of a task read as one line with every change", async ({ page }) => {
  test.slow(); // a task, two edits and two pages read back: past the default timeout on a loaded machine
  await new LoginPage(page).signInAs(DEMO.alice);
  const tasks = new TasksPage(page);
  await tasks.goto();
  const title = unique("Edited task");
  await tasks.addTask(title);
  await tasks.open(title);
  const form = page.getByRole("region", { name: "Edit task" });
  await form.getByLabel("Title").fill(`${title} v2`);
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: `${title} v2`, level: 1 })).toBeVisible();
  await form.getByLabel("Assignee").selectOption({ label: "Bob Brown" });
  await form.getByRole("button", { name: "Save changes" }).click();
  // The task's own Activity section merges the two edits as the feed does.
  const activity = page.getByRole("region", { name: "Activity" });
  await expect(activity.getByText("Assignee: none → Bob Brown")).toBeVisible();
  await expect(activity.getByRole("button", { name: "2 edits" })).toBeVisible();

  const feed = new ActivityPage(page);
  await feed.goto();
  const line = feed.line(`updated task ${title} v2`);
  await expect(line).toHaveCount(1);
  await expect(line.getByRole("paragraph").nth(1)).toHaveText(
    `Title: ${title} → ${title} v2 · Assignee: none → Bob Brown`,
  );
  const toggle = line.getByRole("button", { name: "2 edits" });
  await toggle.click();
  const edits = line.getByRole("list", { name: "2 edits" }).getByRole("listitem");
  await expect(edits).toHaveCount(2);
  await expect(edits.nth(0)).toContainText("Assignee: none → Bob Brown");
  await expect(edits.nth(0)).not.toContainText("Title:");
  await expect(edits.nth(1)).toContainText(`Title: ${title} → ${title} v2`);
  await expect(edits.nth(1)).not.toContainText("Assignee:");
});

test("an open run stays open as live events join it, and the pill counts the events, not the run", async ({
  browser,
}) => {
  test.slow(); // two sign-ins and six tasks
  const bob = await signedIn(browser, DEMO.bob);
  const bobTasks = new TasksPage(bob);
  await bobTasks.goto();
  await bobTasks.addTask(unique("Before the live run"));
  const alice = await signedIn(browser, DEMO.alice);
  const tasks = new TasksPage(alice);
  await tasks.goto();
  for (const title of [unique("Live run 1"), unique("Live run 2")]) await tasks.addTask(title);

  const feed = new ActivityPage(bob);
  await feed.goto();
  const top = feed.lines.first();
  await expect(top.getByRole("paragraph").first()).toHaveText("Alice Adams created 2 tasks");
  await top.getByRole("button", { name: "2 events" }).click();

  const third = unique("Live run 3");
  await tasks.addTask(third);
  await expect(top.getByRole("paragraph").first()).toHaveText("Alice Adams created 3 tasks", { timeout: 10_000 });
  const toggle = top.getByRole("button", { name: "3 events" });
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  const lines = top.getByRole("list", { name: "3 events" }).getByRole("listitem");
  await expect(lines).toHaveCount(3);
  await expect(lines.first()).toContainText(`Alice Adams created task ${third}`);

  // Further down, two more tasks wait behind the pill: two events, though they join one line.
  await expect
    .poll(async () => {
      await bob.evaluate(() => window.scrollTo(0, 600));
      return bob.evaluate(() => document.querySelector('ol[aria-label="Activity"]')?.getBoundingClientRect().top ?? 0);
    })
    .toBeLessThan(0);
  const later = [unique("Live run 4"), unique("Live run 5")];
  for (const title of later) await tasks.addTask(title);
  await expect(feed.newEventsPill(2)).toBeVisible({ timeout: 10_000 });
  await expect(top.getByRole("paragraph").first()).toHaveText("Alice Adams created 3 tasks");
  await feed.newEventsPill(2).click();
  await expect(top.getByRole("paragraph").first()).toHaveText("Alice Adams created 5 tasks");
  await expect(top.getByRole("button", { name: "5 events" })).toHaveAttribute("aria-expanded", "true");
  await expect(top.getByRole("list", { name: "5 events" }).getByRole("listitem")).toHaveCount(5);
  await alice.context().close();
  await bob.context().close();
});
