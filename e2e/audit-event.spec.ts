import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { AuditLogPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

// The audit log's event permalink (`/admin/audit/events/<id>`, issue 14): reached from a row of the log,
// holding the diff and the request behind the event, for admins of the event's workspace only.

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

/** Creates a task, renames it on its page, and returns its id. */
async function createAndRename(page: Page, title: string, renamed: string): Promise<number> {
  const tasks = new TasksPage(page);
  await tasks.goto();
  await tasks.addTask(title);
  const id = await tasks.open(title);
  const form = page.getByRole("region", { name: "Edit task" });
  await form.getByLabel("Title").fill(renamed);
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: renamed, level: 1 })).toBeVisible();
  return id;
}

/** The page says "Not found" with a 404 status. */
async function expectNotFound(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found", level: 1 })).toBeVisible();
}

const eventLinkName = /event \d+: details$/;

test.describe("an audit event's own page", () => {
  test("a row of the log opens its event: the diff, the request, and the way to the record's history", async ({
    page,
  }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
    const title = unique("Permalink task");
    const renamed = `${title} renamed`;
    const id = await createAndRename(page, title, renamed);

    const audit = new AuditLogPage(page);
    await audit.goto(`?record=task:${id}`);
    const row = audit.table.getByRole("row").filter({ hasText: "Updated" }).filter({ hasText: renamed });
    await expect(row).toHaveCount(1);
    // A real link, reached and followed from the keyboard.
    const link = row.getByRole("link", { name: eventLinkName });
    await expect(link).toHaveAttribute("href", /^\/admin\/audit\/events\/\d+$/);
    await link.focus();
    await expect(link).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/admin\/audit\/events\/\d+$/);
    const eventId = new URL(page.url()).pathname.split("/").pop();

    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Alice Adams updated task ${renamed}`);
    await expect(page.getByText(`Event ${eventId} ·`)).toBeVisible();
    const diff = page.getByRole("region", { name: "What changed" }).getByRole("row", { name: /^Title/ });
    await expect(diff).toContainText(title);
    await expect(diff).toContainText(renamed);

    const details = page.getByRole("region", { name: "Details" });
    const detail = (term: string) =>
      details
        .locator("div")
        .filter({ has: page.locator(`dt:text-is("${term}")`) })
        .locator("dd");
    await expect(detail("Actor")).toContainText("Alice Adams");
    // The time in the reader's zone, naming it.
    await expect(detail("Time").locator("time")).toHaveText(/UTC|GMT/);
    await expect(detail("Request id")).toHaveText(/\S{8,}/);
    // The whole user agent, as this browser sent it (the history page shortens it).
    const userAgent = await page.evaluate(() => navigator.userAgent);
    await expect(detail("User agent")).toHaveText(userAgent);
    // The IP only behind a trusted proxy (ACTIVITY_TRUSTED_PROXIES): a dash without one.
    await expect(detail("IP address")).toHaveText(/^(—|[0-9a-f.:]+)$/);
    await expect(detail("Transaction id")).toHaveText(/^\d+$/);

    await page
      .getByRole("navigation", { name: "Related pages" })
      .getByRole("link", { name: `History of task ${renamed}` })
      .click();
    await expect(page).toHaveURL(new RegExp(`/admin/audit/task/${id}$`));
    await expect(page.getByRole("heading", { level: 1, name: `History of task ${renamed}` })).toBeVisible();

    // The history's line for the event links back to its page.
    const line = page
      .getByRole("list", { name: "History" })
      .getByRole("listitem")
      .filter({ hasText: /Alice Adams updated/ });
    await line.getByRole("link", { name: new RegExp(`event ${eventId}: details$`) }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/audit/events/${eventId}$`));
    await page.getByRole("link", { name: "Back to the audit log" }).click();
    await expect(page).toHaveURL(/\/admin\/audit$/);
    await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  });

  test("a malformed, an unknown and another workspace's event id are not found", async ({ page, consoleErrors }) => {
    // The browser logs each 404 document it loads.
    consoleErrors.allow(/status of 404/);
    await new LoginPage(page).signInAs(DEMO.alice);
    for (const id of ["abc", "1.5", "0", "-1", "1e3", "0012", "99999999999999999999", "999999999"]) {
      await expectNotFound(page, `/admin/audit/events/${id}`);
    }

    // An event of Acme, opened by Globex's admin.
    const title = unique("Other workspace task");
    const id = await createAndRename(page, title, `${title} renamed`);
    const audit = new AuditLogPage(page);
    await audit.goto(`?record=task:${id}`);
    const href = await audit.table.getByRole("link", { name: eventLinkName }).first().getAttribute("href");
    expect(href).toMatch(/^\/admin\/audit\/events\/\d+$/);
    const response = await page.goto(href!);
    expect(response?.status()).toBe(200);

    await page.context().clearCookies();
    await new LoginPage(page).signInAs(DEMO.carol);
    await expectNotFound(page, href!);
  });

  test("a member gets Not allowed, as on the log", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.bob);
    for (const path of ["/admin/audit/events/1", "/admin/audit/events/abc"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { name: "Not allowed", level: 1 })).toBeVisible();
      await expect(page.getByText("The audit log is for workspace admins.")).toBeVisible();
    }
  });
});

test.describe("the audit log at a phone's width", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("is a list of cards, each with its time, actor, sentence, change and event link", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
    const title = unique("Phone task");
    const renamed = `${title} renamed`;
    const id = await createAndRename(page, title, renamed);

    await page.goto(`/admin/audit?record=task:${id}`);
    await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
    await expect(page.getByRole("table", { name: "Audit log" })).toBeHidden();
    const cards = page.getByRole("list", { name: "Audit log" }).getByRole("listitem");
    const card = cards.filter({ hasText: `Alice Adams updated task ${renamed}` });
    await expect(card).toHaveCount(1);
    await expect(card.locator("time")).toHaveText(/UTC|GMT/);
    await expect(card).toContainText(`Title: ${title} → ${renamed}`);
    // No card is wider than the screen.
    const widest = await cards.evaluateAll((items) => Math.max(...items.map((li) => li.getBoundingClientRect().right)));
    expect(widest).toBeLessThanOrEqual(390);

    await card.getByRole("link", { name: /^Event details/ }).click();
    await expect(page).toHaveURL(/\/admin\/audit\/events\/\d+$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Alice Adams updated task ${renamed}`);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.scrollingElement!.scrollWidth,
      clientWidth: document.scrollingElement!.clientWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  });
});
