import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { AuditLogPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";

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
