import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BrowserContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { spawnNextStart, waitForHealth } from "./next-server";
import { DEMO, LoginPage } from "./pages/login-page";

const PORT = Number(process.env.E2E_PORT ?? 3100) + 1;
const origin = `http://127.0.0.1:${PORT}`;

// A second `next start` of the same build: on the configured server database, or on an embedded database
// of its own (PGlite allows one process per folder). Signed in on that server itself: a session is a row of
// the database it was started in, and the embedded one is this server's own.
test("the server exits promptly on SIGTERM while event streams are open", async ({ browser, consoleErrors }) => {
  test.setTimeout(90_000);
  // The streams are opened from a JSON page (no icon: a 404 for /favicon.ico), and the server that is going
  // away answers their reconnects with 503.
  consoleErrors.allow(/\/api\/health: Failed to load resource: the server responded with a status of (404|503)/);
  const dataDir = mkdtempSync(path.join(tmpdir(), "activity-kit-shutdown-"));
  const child = spawnNextStart(PORT, { PGLITE_DATA_DIR: path.join(dataDir, "pglite") });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let context: BrowserContext | undefined;
  try {
    await waitForHealth(origin, child);
    // The JSON page's policy (default-src 'none', as for every API response) would refuse the streams
    // opened from it: this test is about the shutdown, so the page's policy is set aside.
    context = await browser.newContext({ baseURL: origin, bypassCSP: true });
    const page = await context.newPage();
    await new LoginPage(page).signInAs(DEMO.alice);
    await page.goto(`${origin}/api/health`);
    const opened = await page.evaluate(async () => {
      const open = (url: string) =>
        new Promise<boolean>((resolve) => {
          const source = new EventSource(url);
          source.onopen = () => resolve(true);
          setTimeout(() => resolve(false), 10_000);
        });
      return Promise.all([open("/api/activity/stream"), open("/api/activity/stream?action=insert")]);
    });
    expect(opened).toEqual([true, true]);

    const sentAt = Date.now();
    child.kill("SIGTERM");
    const winner = await Promise.race([
      exited.then(() => "exited"),
      page.waitForTimeout(15_000).then(() => "still running"),
    ]);
    expect(winner).toBe("exited");
    console.log(`next start exited ${Date.now() - sentAt} ms after SIGTERM with 2 streams open`);
  } finally {
    await context?.close();
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});
