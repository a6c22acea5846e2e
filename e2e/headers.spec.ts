import { expect, test } from "./fixtures";
import { DEMO, LoginPage } from "./pages/login-page";

const COMMON = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
};

function expectCommon(headers: Record<string, string>, what: string) {
  for (const [name, value] of Object.entries(COMMON)) expect(headers[name], `${name} on ${what}`).toBe(value);
  expect(headers["content-security-policy"], `CSP on ${what}`).toContain("frame-ancestors 'none'");
}

test("pages carry a nonce-based Content-Security-Policy, a new nonce each time", async ({ page }) => {
  const nonces = new Set<string>();
  for (const path of ["/login", "/login", "/no-such-page"]) {
    const response = await page.goto(path);
    const headers = response!.headers();
    expectCommon(headers, path);
    const csp = headers["content-security-policy"]!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic'/);
    expect(csp).not.toContain("unsafe-eval");
    const nonce = /'nonce-([\w+/=]+)'/.exec(csp)![1]!;
    nonces.add(nonce);
    // Next put it on the scripts it wrote; the page ran them (the form below is interactive).
    expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);
  }
  expect(nonces.size).toBe(3);
});

test("signed-in pages, API routes and the stream carry the headers too", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  for (const path of ["/tasks", "/activity", "/admin/audit"]) {
    const response = await page.goto(path);
    expectCommon(response!.headers(), path);
    expect(response!.headers()["content-security-policy"]).toContain("'nonce-");
  }
  for (const path of ["/api/activity", "/api/audit", "/api/health", "/api/activity?limit=oops"]) {
    const response = await page.request.get(path);
    expectCommon(response.headers(), path);
    expect(response.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  }
  const signedOut = await page.context().browser()!.newContext();
  const refused = await signedOut.request.get("/api/activity");
  expect(refused.status()).toBe(401);
  expectCommon(refused.headers(), "a 401");
  await signedOut.close();

  // The stream: its headers, read as the browser's EventSource would receive them, then closed.
  const stream = await page.evaluate(async () => {
    const controller = new AbortController();
    const response = await fetch("/api/activity/stream", { signal: controller.signal });
    const headers = Object.fromEntries(response.headers.entries());
    controller.abort();
    return { status: response.status, headers };
  });
  expect(stream.status).toBe(200);
  expect(stream.headers["content-type"]).toContain("text/event-stream");
  expectCommon(stream.headers, "the stream");
});

test("another site cannot frame a page", async ({ page, consoleErrors, baseURL }) => {
  // Chromium reports the refusal on the console: that is what is expected here.
  consoleErrors.allow(/frame-ancestors|Refused to (display|frame)/);
  await page.route("http://framer.test/", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>framer</title><iframe src="${baseURL}/login" width="600" height="400"></iframe>`,
    }),
  );
  await page.goto("http://framer.test/");
  const frame = page.frames().find((f) => f !== page.mainFrame());
  await expect.poll(() => frame?.url()).toMatch(/^chrome-error:/);
  await expect(page.frameLocator("iframe").getByRole("heading", { name: "Sign in" })).toHaveCount(0);
});
