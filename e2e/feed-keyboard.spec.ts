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
