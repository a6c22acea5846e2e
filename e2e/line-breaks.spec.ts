import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { AuditLogPage, RecordHistoryPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";

/**
 * On a phone (390 px wide) a time or a number is read at a glance: never broken over two lines (issue 14).
 */

test.use({ viewport: { width: 390, height: 844 } });

/**
 * What is broken over lines in `main`, each as its text: every `time` element, and every run of digits
 * (with the `:`, `.`, `,`, `/` or `-` inside it: "18:32:40", "1,204") in any text. A piece of text is on one
 * line when all its boxes share one top; a run wider than its element's box cannot be, and is not counted.
 */
function brokenNumbers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const lines = (rects: DOMRectList) => new Set([...rects].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    const broken: string[] = [];
    const main = document.querySelector("main");
    if (!main) return ["no main"];
    for (const time of main.querySelectorAll("time")) {
      if (!time.checkVisibility()) continue;
      const range = document.createRange();
      range.selectNodeContents(time);
      if (lines(range.getClientRects()).size > 1) broken.push(`time: ${time.textContent}`);
    }
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent?.checkVisibility()) continue;
      for (const match of (node.textContent ?? "").matchAll(/\d+(?:[:.,/-]\d+)*/g)) {
        if (match[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = range.getClientRects();
        // A run wider than its box (a long number in a title, in a narrow diff cell) has to wrap.
        const width = [...rects].reduce((sum, r) => sum + r.width, 0);
        let box: Element = parent;
        while (box.parentElement && getComputedStyle(box).display.startsWith("inline")) box = box.parentElement;
        if (width > box.clientWidth) continue;
        if (lines(rects).size > 1) broken.push(`${match[0]} in "${node.textContent?.trim()}"`);
      }
    }
    return broken;
  });
}

test.beforeEach(async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
});

test("the feed at 390 px: no time or number broken over lines", async ({ page }) => {
  const feed = new ActivityPage(page);
  await feed.goto();
  await expect.poll(() => feed.loadedEvents()).toBeGreaterThanOrEqual(30);
  await feed.expandAll();
  expect(await page.locator("main time").count()).toBeGreaterThan(30);
  expect(await brokenNumbers(page)).toEqual([]);
});

test("the audit log's cards at 390 px: no time or number broken over lines", async ({ page }) => {
  const audit = new AuditLogPage(page);
  await audit.goto();
  const cards = page.getByRole("list", { name: "Audit log" });
  await expect(cards).toBeVisible();
  expect(await cards.locator("time").count()).toBeGreaterThan(10);
  expect(await brokenNumbers(page)).toEqual([]);
});

test("a record's history at 390 px: no time or number broken over lines", async ({ page }) => {
  const audit = new AuditLogPage(page);
  await audit.goto();
  const href = await page.locator('main a[href^="/admin/audit/task/"]').first().getAttribute("href");
  const record = new RecordHistoryPage(page);
  await record.goto("task", href!.split("/").pop()!);
  expect(await record.events.count()).toBeGreaterThan(0);
  expect(await page.locator("main time").count()).toBeGreaterThan(0);
  expect(await brokenNumbers(page)).toEqual([]);
});
