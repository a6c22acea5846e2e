import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

/** A browser signed in as `email` on a device of its own. */
async function signedInDevice(browser: Browser, email: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await new LoginPage(await context.newPage()).signInAs(email);
  return context;
}

/** The statuses of the APIs a session reads, fetched from `page` with its cookies. */
function apiStatuses(page: Page) {
  return page.evaluate(async (paths) => {
    const statuses: Record<string, number> = {};
    for (const path of paths) {
      const controller = new AbortController();
      const response = await fetch(path, { signal: controller.signal, redirect: "manual" });
      statuses[path] = response.status;
      // The stream, once open, would not end: its status is all that is wanted.
      controller.abort();
    }
    return statuses;
  }, API_PATHS);
}

const API_PATHS = ["/api/activity", "/api/audit", "/api/audit/export?format=csv", "/api/activity/stream"];

const REFUSED = {
  "/api/activity": 401,
  "/api/audit": 401,
  "/api/audit/export?format=csv": 401,
  "/api/activity/stream": 401,
};

test("a token saved before sign-out reads nothing afterwards, and the user's other device stays signed in", async ({
  browser,
  consoleErrors,
}) => {
  // The replayed token's refused requests, which the browser reports on the console.
  consoleErrors.allow(/status of 401 \(Unauthorized\)/);
  const laptop = await signedInDevice(browser, DEMO.alice);
  const phone = await signedInDevice(browser, DEMO.alice);
  const saved = await laptop.storageState();
  expect(await apiStatuses(laptop.pages()[0]!)).toEqual({
    "/api/activity": 200,
    "/api/audit": 200,
    "/api/audit/export?format=csv": 200,
    "/api/activity/stream": 200,
  });

  const page = laptop.pages()[0]!;
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  // The saved cookie, replayed from elsewhere, as someone who copied it would.
  const replay = await browser.newContext({ storageState: saved });
  const audit = await replay.newPage();
  await audit.goto("/login");
  expect(await apiStatuses(audit)).toEqual(REFUSED);
  await audit.goto("/admin/audit");
  await expect(audit).toHaveURL(/\/login/);
  await expect(audit.getByRole("table")).toHaveCount(0);

  await phone.pages()[0]!.goto("/admin/audit");
  await expect(phone.pages()[0]!.getByRole("table")).toBeVisible();
  expect((await phone.request.get("/api/activity")).status()).toBe(200);
  await Promise.all([laptop.close(), phone.close(), replay.close()]);
});

test("a form already open when its session was signed out elsewhere saves nothing", async ({ browser }) => {
  const stale = await signedInDevice(browser, DEMO.bob);
  const page = stale.pages()[0]!;
  // The same session in a second window: signing out there ends it here too.
  const other = await browser.newContext({ storageState: await stale.storageState() });
  const otherPage = await other.newPage();
  await otherPage.goto("/tasks");
  await otherPage.getByRole("button", { name: "Sign out" }).click();
  await expect(otherPage).toHaveURL(/\/login/);

  const title = `after sign-out ${Date.now()}`;
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Add task" }).click();
  await expect(page).toHaveURL(/\/login/);

  await new LoginPage(otherPage).signInAs(DEMO.bob);
  const tasks = new TasksPage(otherPage);
  await tasks.goto();
  await expect(tasks.taskLink(title)).toHaveCount(0);
  await Promise.all([stale.close(), other.close()]);
});
