import { randomUUID } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { AuditLogPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

test.beforeEach(async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
});

test("keyboard only: the skip link, then Tab reaches Load more without loading pages on the way", async ({ page }) => {
  const feed = new ActivityPage(page);
  await feed.goto();
  // The first page, rendered (counting before it is would count nothing).
  await expect.poll(() => feed.loadedEvents()).toBeGreaterThanOrEqual(30);
  // Collapsed runs can leave the first page shorter than the window: the feed then loads more by itself
  // until its end is out of the scroll observer's reach (400 px below the window). Count once it is, so
  // what is counted after is only what Tab caused.
  await expect
    .poll(() =>
      page.evaluate(() => {
        const list = document.querySelector('ol[aria-label="Activity"]');
        const sentinel = list?.nextElementSibling;
        return (
          list?.getAttribute("aria-busy") === "false" &&
          sentinel instanceof HTMLElement &&
          sentinel.getBoundingClientRect().top > window.innerHeight + 400
        );
      }),
    )
    .toBe(true);
  const before = await feed.loadedEvents();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  const loadMore = page.getByRole("button", { name: "Load more" });
  let reached = false;
  for (let i = 0; i < 400 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await loadMore.evaluate((el) => el === document.activeElement);
  }
  expect(reached).toBe(true);
  // Tabbing through the lines scrolled the sentinel into view: no page was loaded by that.
  expect(await feed.loadedEvents()).toBe(before);
  await page.keyboard.press("Enter");
  await expect.poll(() => feed.loadedEvents()).toBeGreaterThan(before);
});

/** Presses Tab until `target` has the focus (at most `limit` times); the elements focused on the way. */
async function tabTo(page: Page, target: Locator, limit = 80): Promise<string[]> {
  const passed: string[] = [];
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return passed;
    await page.keyboard.press("Tab");
    passed.push(
      await page.evaluate(() => {
        const el = document.activeElement;
        return `${el?.tagName.toLowerCase()} ${el?.getAttribute("aria-label") ?? el?.textContent?.trim().slice(0, 40) ?? ""}`;
      }),
    );
  }
  throw new Error(`Tab did not reach the target in ${limit} presses: ${passed.join(" | ")}`);
}

test("keyboard only: the audit log is filtered and an event opened without a pointer", async ({ page }) => {
  const audit = new AuditLogPage(page);
  await audit.goto();
  const filters = page.getByRole("form", { name: "Filters" });
  const action = filters.getByLabel("Action");
  await tabTo(page, action);
  await page.keyboard.type("Updated");
  await expect(action).toHaveValue("update");
  await tabTo(page, filters.getByRole("button", { name: "Apply" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/audit\?action=update$/);

  const firstEvent = audit.table.getByRole("link", { name: /event \d+: details/ }).first();
  await tabTo(page, firstEvent, 120);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/audit\/events\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("updated");
});

test("keyboard only: Shift+Tab back up the feed reaches the new-events pill, and Enter shows the events", async ({
  page,
  browser,
}) => {
  test.slow(); // a few dozen key presses each way, and a second sign-in
  const feed = new ActivityPage(page);
  await feed.goto();
  await expect.poll(() => feed.loadedEvents()).toBeGreaterThanOrEqual(30);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  // Down the lines until the list's top is above the window: a reader further down.
  const listTop = () =>
    page.evaluate(() => document.querySelector('ol[aria-label="Activity"]')?.getBoundingClientRect().top ?? 0);
  let presses = 0;
  while ((await listTop()) > -100) {
    expect(presses++, "Tab presses to get down the feed").toBeLessThan(200);
    await page.keyboard.press("Tab");
  }
  const topLine = await feed.lines.first().textContent();

  // A teammate's task, from a browser context of its own.
  const bob = await (await browser.newContext()).newPage();
  await new LoginPage(bob).signInAs(DEMO.bob);
  const title = `Keyboard pill ${randomUUID().slice(0, 8)}`;
  await new TasksPage(bob).addTask(title);
  const pill = feed.newEventsPill(1);
  await expect(pill).toBeVisible({ timeout: 5_000 });

  // Back up the lines: each Shift+Tab brings the list's top nearer, and at last into view; the pill stays,
  // and is where the focus goes from the first line.
  const inList = () => feed.list.evaluate((list) => list.contains(document.activeElement));
  for (let i = 0; await inList(); i++) {
    expect(i, "Shift+Tab presses to get up the feed").toBeLessThan(200);
    await page.keyboard.press("Shift+Tab");
  }
  await expect(pill).toBeFocused();
  await expect(feed.lines.first()).toHaveText(topLine!);
  await expect(feed.line(title)).toHaveCount(0);

  await page.keyboard.press("Enter");
  await expect(feed.newEventsPill()).toHaveCount(0);
  await expect(feed.lines.first()).toContainText(`created task ${title}`);
  await expect(feed.lines.first()).toBeFocused();
  await bob.context().close();
});
