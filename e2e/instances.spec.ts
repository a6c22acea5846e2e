import type { ChildProcess } from "node:child_process";
import type { Browser } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hasExited, spawnNextStart, waitForHealth } from "./next-server";
import { ActivityPage } from "./pages/activity-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

// Two app instances on one database, both started here (Playwright's own server stays out of it): events
// written through one reach a browser streaming from the other (each instance listens; one sequences at a
// time, elected per tick), and killing either one loses nothing once the browser is back. Needs a server
// database: the embedded one belongs to one process.
const BASE_PORT = Number(process.env.E2E_PORT ?? 3100) + 2;

class Instance {
  child: ChildProcess | undefined;
  constructor(readonly port: number) {}
  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start() {
    this.child = spawnNextStart(this.port);
    await waitForHealth(this.origin, this.child);
  }
  async kill() {
    const child = this.child;
    if (!child || hasExited(child)) return;
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await gone;
  }
}

async function signedInAt(browser: Browser, origin: string, email: string) {
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await new LoginPage(page).signInAs(email);
  return page;
}

const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

test.describe("two instances on one database", () => {
  test.skip(!process.env.DATABASE_URL, "needs DATABASE_URL: the embedded database belongs to one process");
  test.setTimeout(150_000);

  const a = new Instance(BASE_PORT);
  const b = new Instance(BASE_PORT + 1);
  test.beforeEach(async () => {
    await Promise.all([a.start(), b.start()]);
  });
  test.afterEach(async () => {
    await Promise.all([a.kill(), b.kill()]);
  });

  for (const victim of ["B, the one streaming", "A, the one written through"] as const) {
    test(`a task created through A shows live in a feed streaming from B; killing ${victim} loses nothing`, async ({
      browser,
      consoleErrors,
    }) => {
      // While B is down the browser's stream and its reconnects cannot connect.
      consoleErrors.allow(/ERR_CONNECTION_REFUSED|Failed to load resource/);
      const bob = await signedInAt(browser, b.origin, DEMO.bob);
      const feed = new ActivityPage(bob);
      await feed.goto();
      const alice = await signedInAt(browser, a.origin, DEMO.alice);
      const tasks = new TasksPage(alice);
      await tasks.goto();

      const first = unique("Through A");
      await tasks.addTask(first);
      await feed.expectEvents(`created task ${first}`, 1, { timeout: 10_000 });

      const titles = [unique("After the kill 1"), unique("After the kill 2")];
      if (victim.startsWith("B")) {
        // B dies mid-stream; two tasks are written through A while it is gone; B comes back on its port.
        await b.kill();
        for (const title of titles) await tasks.addTask(title);
        await b.start();
      } else {
        // A dies (it may have been the sequencing instance); the next writes go through B alone.
        await a.kill();
        await alice.context().close();
        const again = new TasksPage(await signedInAt(browser, b.origin, DEMO.alice));
        await again.goto();
        for (const title of titles) await again.addTask(title);
        await again.page.context().close();
      }

      for (const title of titles) {
        await feed.expectEvents(`created task ${title}`, 1, { timeout: 20_000 });
      }
      await bob.waitForTimeout(1_000);
      for (const title of [first, ...titles]) expect(await feed.eventCount(title)).toBe(1);
      await bob.context().close();
      if (victim.startsWith("B")) await alice.context().close();
    });
  }
});
