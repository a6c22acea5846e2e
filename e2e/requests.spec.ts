import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { DEMO, LoginPage } from "./pages/login-page";

/** A server action's id, from the build's manifest of server references. */
function actionId(name: string): string {
  const manifest = JSON.parse(
    readFileSync(path.resolve(".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { exportedName?: string }> };
  const id = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === name)?.[0];
  if (!id) throw new Error(`no server action named ${name} in the build`);
  return id;
}

/** Posts to a server action the way a hand-made client would. */
function callAction(page: Page, name: string, body: string | Buffer, contentType = "text/plain;charset=UTF-8") {
  return page.request.post("/tasks", {
    headers: { "Next-Action": actionId(name), Accept: "text/x-component", "Content-Type": contentType },
    data: body,
    failOnStatusCode: false,
  });
}

test.beforeEach(async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
});

test("a malformed call of switchWorkspaceAction is refused like any action's, not a 500", async ({ page }) => {
  // Arguments Next can decode but that are not (state, form): no form, a form reference that is not there,
  // a plain object for the form.
  for (const body of ["[]", '["$K1"]', '[null, {"workspaceId": 1}]']) {
    const response = await callAction(page, "switchWorkspaceAction", body);
    expect(response.status(), body).toBeLessThan(500);
  }
});

test("a body over the server actions' limit is a 413", async ({ page }) => {
  const big = Buffer.alloc(2 * 1024 * 1024, "a");
  const response = await callAction(page, "createTaskAction", big, "multipart/form-data; boundary=x");
  expect(response.status()).toBe(413);
  expect((await response.json()).error.message).toMatch(/too much to send at once/);
});

test.describe("the filtered APIs", () => {
  for (const api of ["/api/activity", "/api/audit", "/api/audit/export", "/api/activity/stream"]) {
    test(`${api} refuses __proto__ like any unknown parameter`, async ({ page }) => {
      const response = await page.request.get(`${api}?__proto__=1`, { failOnStatusCode: false });
      expect(response.status()).toBe(400);
      expect((await response.json()).error).toMatchObject({ code: "invalid_filter", parameter: "__proto__" });
      const unknown = await page.request.get(`${api}?nonsense=1`, { failOnStatusCode: false });
      expect(unknown.status()).toBe(400);
    });
  }
});

test.describe("a record's history", () => {
  for (const url of [
    "/admin/audit/nope/1",
    "/admin/audit/__proto__/1",
    "/admin/audit/task/a%20b",
    `/admin/audit/task/${"9".repeat(65)}`,
  ]) {
    test(`${url} is a 404`, async ({ page, consoleErrors }) => {
      consoleErrors.allow(/status of 404/);
      const response = await page.goto(url);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { name: "Not found", level: 1 })).toBeVisible();
    });
  }

  for (const at of ["0000-01-01", "99999-01-01", "+275760-09-13T00:00:00Z", "2026-02-30"]) {
    test(`?at=${at} is refused next to the time picker`, async ({ page }) => {
      const response = await page.goto(`/admin/audit/task/1?at=${encodeURIComponent(at)}`);
      expect(response?.status()).toBe(200);
      await expect(
        page.getByText("That is not a time: pick a date and time between the years 1 and 9999."),
      ).toBeVisible();
      await expect(page.getByText(/could not be loaded/)).toHaveCount(0);
    });
  }
});

test("five pages of the feed cost no prefetch of the lines' links", async ({ page }) => {
  test.slow(); // five pages of lines rendered, then scrolled through
  // Every request the app's router sends from the feed for a link before it is followed: an RSC request,
  // marked as a prefetch by its header or its `_rsc` parameter (the sign-in's page, /tasks, prefetches its own).
  const prefetched: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    const headers = request.headers();
    if (!("next-router-prefetch" in headers) && !("rsc" in headers) && !url.searchParams.has("_rsc")) return;
    if (new URL(headers.referer ?? url).pathname !== "/activity") return;
    url.searchParams.delete("_rsc");
    prefetched.push(url.pathname + url.search);
  });
  const pages: string[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname === "/api/activity" && response.ok()) pages.push(url.search);
  });
  const feed = new ActivityPage(page);
  await feed.goto();
  await expect.poll(() => feed.loadedEvents()).toBeGreaterThanOrEqual(30);
  // The server rendered the first page; four more by scrolling down, through the API.
  while (pages.length < 4) {
    const count = pages.length;
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect.poll(() => pages.length).toBeGreaterThan(count);
    await expect(feed.list).toHaveAttribute("aria-busy", "false");
  }
  // Each line through the window, where a link would be prefetched.
  await feed.expandAll();
  await page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let y = document.body.scrollHeight; y >= 0; y -= window.innerHeight / 2) {
      window.scrollTo(0, y);
      await frame();
    }
  });
  const hrefs = new Set(
    await feed.list.locator("a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? "")),
  );
  // The lines link records, their histories and the feed filtered to an actor or a record.
  expect([...hrefs].some((href) => href.startsWith("/admin/audit/"))).toBe(true);
  expect([...hrefs].some((href) => href.startsWith("/activity?"))).toBe(true);
  expect(prefetched.filter((href) => hrefs.has(href))).toEqual([]);
});
