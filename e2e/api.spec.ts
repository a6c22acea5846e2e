import { expect, test } from "@playwright/test";
import { DEMO, LoginPage } from "./pages/login-page";

// The four routes are the kit's factories (app/api/**/route.ts are three lines each): their answers under
// `next start`, through the app's own session.
const ROUTES = ["/api/activity", "/api/activity/stream", "/api/audit", "/api/audit/export"];

test("signed out, every activity route answers 401 with the error JSON", async ({ request }) => {
  for (const route of ROUTES) {
    const response = await request.get(route);
    expect({ route, status: response.status() }).toEqual({ route, status: 401 });
    expect(await response.json()).toEqual({ error: { code: "unauthorized", message: "Sign in to see this." } });
  }
});

test("bad input is a 400 naming the parameter, on every route", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  const cases = [
    ["/api/activity?limit=0", "limit"],
    ["/api/activity?cursor=tampered", "cursor"],
    ["/api/activity/stream?after=x", "after"],
    ["/api/audit?from=2026-02-30", "from"],
    ["/api/audit/export?format=xml", "format"],
  ] as const;
  for (const [url, parameter] of cases) {
    const response = await page.request.get(url);
    const body = await response.json();
    expect({ url, status: response.status(), parameter: body.error?.parameter }).toEqual({
      url,
      status: 400,
      parameter,
    });
  }
});

test("the feed and the audit log answer an admin", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  const feed = await page.request.get("/api/activity?limit=2");
  expect(feed.status()).toBe(200);
  expect((await feed.json()).items).toHaveLength(2);
  const audit = await page.request.get("/api/audit?limit=1");
  expect(Object.keys((await audit.json()).items[0].context)).toEqual(["requestId", "ip", "userAgent", "txId"]);
});
