import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { DEMO, LoginPage } from "./pages/login-page";

test.beforeEach(async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
});

test("keyboard only: the skip link, then Tab reaches Load more without loading pages on the way", async ({ page }) => {
  const feed = new ActivityPage(page);
  await feed.goto();
  // The first page, rendered (counting before it is would count nothing).
  const before = 30;
  await expect.poll(() => feed.loadedEvents()).toBe(before);
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
