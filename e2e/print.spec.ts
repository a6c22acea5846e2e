import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { RecordHistoryPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

/**
 * A record's history on paper (issue 14): the events' text is printed, what is there to act on is not
 * (forms, buttons, navigation, links that only lead elsewhere in the app).
 */

/** What is shown in print although it is only there to act on, each as "tag text". */
function printedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = document.querySelectorAll(
      'header, nav, form, button, input, select, textarea, [data-print="hide"], [role="status"]:not(:empty)',
    );
    return [...controls]
      .filter((el) => el.checkVisibility({ visibilityProperty: true }))
      .map((el) => `${el.tagName.toLowerCase()} ${(el.textContent ?? "").trim().slice(0, 40)}`);
  });
}

/**
 * The cards printed with nothing in them but their title (a card whose form is hidden), each as its name.
 */
function emptyCards(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("main section[aria-label]")]
      .filter((card) => card.checkVisibility())
      .filter((card) => {
        // innerText, not textContent: the text as laid out, without what print hides.
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point
        const title = card.querySelector<HTMLElement>("h2")?.innerText.trim() ?? "";
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point
        return card.innerText.trim() === title;
      })
      .map((card) => card.getAttribute("aria-label") ?? ""),
  );
}

async function aTaskWithHistory(page: Page): Promise<{ id: number; title: string; renamed: string }> {
  const tasks = new TasksPage(page);
  await tasks.goto();
  const title = `Printed ${randomUUID().slice(0, 8)}`;
  await tasks.addTask(title);
  const id = await tasks.open(title);
  const renamed = `${title} (renamed)`;
  await page.getByLabel("Title").fill(renamed);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: renamed, level: 1 })).toBeVisible();
  return { id, title, renamed };
}

test.beforeEach(async ({ page }) => {
  test.slow(); // a task made and edited before its pages are printed
  await new LoginPage(page).signInAs(DEMO.alice);
});

test("a record's history prints its events, without the forms, buttons and navigation", async ({ page }) => {
  const { id, title, renamed } = await aTaskWithHistory(page);
  const history = new RecordHistoryPage(page);
  await history.goto("task", id);
  await expect(history.events).toHaveCount(2);
  await page.emulateMedia({ media: "print" });

  await expect(history.heading).toBeVisible();
  await expect(history.event(renamed).first()).toBeVisible();
  await expect(history.event(title).first()).toContainText(title);
  // Each event's time, in words a reader of the paper can use.
  for (const time of await history.events.locator("time").all()) await expect(time).toBeVisible();
  expect(await printedControls(page)).toEqual([]);
  expect(await emptyCards(page)).toEqual([]);
  await expect(page.getByRole("link", { name: "← Audit log" })).toBeHidden();
  await expect(page.getByRole("link", { name: "Newest first" })).toBeHidden();
});

test("a task page's Activity section prints its events, without the forms, buttons and navigation", async ({
  page,
}) => {
  const { title } = await aTaskWithHistory(page);
  const activity = page.getByRole("region", { name: "Activity" });
  await expect(activity.getByRole("listitem").filter({ hasText: title }).first()).toBeVisible();
  await page.emulateMedia({ media: "print" });

  const lines = activity.getByRole("listitem").filter({ hasText: title });
  expect(await lines.count()).toBeGreaterThan(0);
  for (const line of await lines.all()) await expect(line).toBeVisible();
  // "just now" is followed on paper by the exact time.
  for (const time of await lines.locator("time").all()) {
    const title = await time.getAttribute("title");
    expect(title).toMatch(/\d{4}/);
    expect(await time.evaluate((el) => getComputedStyle(el, "::after").content)).toMatch(/attr\(title\)|\d{4}/);
  }
  expect(await printedControls(page)).toEqual([]);
  expect(await emptyCards(page)).toEqual([]);
  await expect(page.getByRole("link", { name: "← Tasks" })).toBeHidden();
});
