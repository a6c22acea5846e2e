import { randomUUID } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

/** A signed-in page in a browser context of its own (its own cookies, its own network). */
async function signedIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signInAs(email);
  return page;
}

test.describe("the activity feed", () => {
  test.beforeEach(async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
  });

  test("infinite scroll loads the second page", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto();
    await expect.poll(() => feed.loadedEvents()).toBe(30);
    await expect(feed.page.getByRole("heading", { level: 2 }).first()).toBeVisible();

    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect.poll(() => feed.loadedEvents()).toBeGreaterThan(30);
    await expect(feed.list).toHaveAttribute("aria-busy", "false");
  });

  test("without scroll detection, Load more loads the next page", async ({ page }) => {
    // The fallback for browsers where the observer does not fire: with it stubbed out, only the button
    // can load more (so this test cannot pass through infinite scroll).
    await page.addInitScript(() => {
      class Inert {
        observe() {}
        unobserve() {}
        disconnect() {}
        takeRecords() {
          return [];
        }
      }
      Object.defineProperty(window, "IntersectionObserver", { value: Inert, configurable: true });
    });
    const feed = new ActivityPage(page);
    await feed.goto();
    await expect.poll(() => feed.loadedEvents()).toBe(30);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect.poll(() => feed.loadedEvents()).toBe(30);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => feed.loadedEvents()).toBeGreaterThan(30);
  });

  test("filters round-trip through the URL", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto();
    await feed.action.selectOption({ label: "Task cancelled" });
    await feed.apply();
    await expect(page).toHaveURL(/[?&]action=task\.cancelled(&|$)/);
    await expect(feed.lines.first()).toContainText("cancelled");
    for (const line of await feed.lines.all()) {
      await expect(line).toContainText(" cancelled ");
      await expect(line).toContainText("Reason: ");
    }

    await page.reload();
    await expect(feed.action).toHaveValue("task.cancelled");
    await expect(feed.lines.first()).toContainText("cancelled");
    await expect(feed.lines.filter({ hasNotText: " cancelled " })).toHaveCount(0);

    await page.goBack();
    await expect(page).toHaveURL(/\/activity$/);
    await expect(feed.action).toHaveValue("");
    await expect.poll(() => feed.loadedEvents()).toBe(30);
    await expect(feed.lines.filter({ hasNotText: " cancelled " }).first()).toBeVisible();
  });

  test("clicking an actor or a record in a line filters by it", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto();
    await feed.list.getByRole("link", { name: "Bob Brown", exact: true }).first().click();
    await expect(page).toHaveURL(/[?&]actor=\d+/);
    await expect(feed.user.locator("option:checked")).toHaveText("Bob Brown");
    await expect(feed.lines.first()).toBeVisible();
    await expect(feed.lines.filter({ hasNotText: "Bob Brown" })).toHaveCount(0);

    // A collapsed run has no record of its own to narrow to (its funnel, "Only what …", narrows by person and
    // action): the first line that does.
    const only = feed.list.getByRole("link", { name: /^Only (?!what )/ }).first();
    const record = new URL((await only.getAttribute("href"))!, page.url()).searchParams.get("record")!;
    expect(record).toMatch(/^\w+:\d+$/);
    await only.click();
    await expect(page).toHaveURL(new RegExp(`[?&]record=${encodeURIComponent(record)}(&|$)`));
    // The field names the record; the form still sends its key.
    await expect(feed.recordValue).toHaveValue(record);
    await expect(feed.removeChip(/Record: /)).toBeVisible();
    await expect(feed.lines.first()).toBeVisible();

    await page.goBack();
    await expect(page).not.toHaveURL(/record=/);
    await expect(page).toHaveURL(/actor=/);
  });

  test("a bad record filter says what is wrong instead of crashing, and clears", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto("?record=not-a-record");
    await expect(page.getByText("That filter doesn’t work")).toBeVisible();
    await expect(page.getByText(/must look like task:42/)).toBeVisible();
    await expect(feed.record).toHaveAttribute("aria-invalid", "true");
    await page.getByRole("link", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/activity$/);
    await expect.poll(() => feed.loadedEvents()).toBe(30);
  });

  test("filters that match nothing say so", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto();
    await feed.record.fill("task:999999999");
    await feed.record.press("Enter");
    await expect(page.getByText("Nothing matches these filters.")).toBeVisible();
    await feed.filters.getByRole("button", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/activity$/);
    await expect.poll(() => feed.loadedEvents()).toBe(30);
  });
});

// These need the live stream (`GET /api/activity/stream`).
test.describe("the live feed", () => {
  test("a teammate's new task appears without a reload", async ({ browser }) => {
    const bob = await signedIn(browser, DEMO.bob);
    const bobFeed = new ActivityPage(bob);
    await bobFeed.goto();

    const alice = await signedIn(browser, DEMO.alice);
    const title = unique("Live task");
    await new TasksPage(alice).addTask(title);

    await bobFeed.expectEvents(`created task ${title}`, 1, { timeout: 5_000 });
    await expect(bobFeed.eventLines.first()).toContainText(`Alice Adams created task ${title}`);
    await bob.context().close();
    await alice.context().close();
  });

  test("a reader further down gets a pill instead of a moving list", async ({ browser }) => {
    const bob = await signedIn(browser, DEMO.bob);
    const bobFeed = new ActivityPage(bob);
    await bobFeed.goto();
    // Scrolled until the list's top is above the viewport (what the feed counts as "reading further
    // down"); repeated, since a late render can move the page back under a loaded machine.
    await expect
      .poll(async () => {
        await bob.evaluate(() => window.scrollTo(0, 600));
        return bob.evaluate(
          () => document.querySelector('ol[aria-label="Activity"]')?.getBoundingClientRect().top ?? 0,
        );
      })
      .toBeLessThan(0);
    const topLine = await bobFeed.lines.first().textContent();

    const alice = await signedIn(browser, DEMO.alice);
    const title = unique("Pill task");
    await new TasksPage(alice).addTask(title);

    await expect(bobFeed.newEventsPill(1)).toBeVisible({ timeout: 5_000 });
    await expect(bobFeed.line(title)).toHaveCount(0);
    await expect(bobFeed.lines.first()).toHaveText(topLine!);

    await bobFeed.newEventsPill(1).click();
    await expect(bobFeed.newEventsPill()).toHaveCount(0);
    await expect.poll(() => bob.evaluate(() => window.scrollY)).toBe(0);
    await bobFeed.expectEvents(`created task ${title}`, 1);
    await expect(bobFeed.eventLines.first()).toContainText(`created task ${title}`);
    await bob.context().close();
    await alice.context().close();
  });

  test("a Globex feed never receives Acme's events", async ({ browser }) => {
    const carol = await signedIn(browser, DEMO.carol);
    const carolFeed = new ActivityPage(carol);
    await carolFeed.goto();

    const alice = await signedIn(browser, DEMO.alice);
    const aliceFeed = new ActivityPage(alice);
    await aliceFeed.goto();
    const title = unique("Acme only");
    const tasks = new TasksPage(await alice.context().newPage());
    await tasks.goto();
    await tasks.addTask(title);

    // Alice's open feed shows it live: the event went out.
    await aliceFeed.expectEvents(`created task ${title}`, 1, { timeout: 5_000 });
    await carol.waitForTimeout(1_000);
    await expect(carol.getByText(title)).toHaveCount(0);
    await expect(carolFeed.newEventsPill()).toHaveCount(0);
    await carol.context().close();
    await alice.context().close();
  });

  test("a stream that missed more than the server replays gets a reset, and the feed refetches", async ({
    browser,
  }) => {
    test.slow(); // two sign-ins, a drop and a refetch: near the default timeout on a loaded machine
    const bob = await signedIn(browser, DEMO.bob);
    const bobFeed = new ActivityPage(bob);
    await bobFeed.goto();
    const alice = await signedIn(browser, DEMO.alice);
    const tasks = new TasksPage(alice);
    const first = unique("Before the reset");
    await tasks.addTask(first);
    await bobFeed.expectEvents(first, 1, { timeout: 5_000 });

    // The next stream Bob's tab opens asks for everything from the start of the log, as a tab left open
    // for days would be that far behind: more than the server replays (ACTIVITY_REPLAY_LIMIT in the config).
    const streams: string[] = [];
    await bob.route(/\/api\/activity\/stream\?/, (route) => {
      const url = new URL(route.request().url());
      if (streams.length === 0) url.searchParams.set("after", "0");
      streams.push(url.searchParams.get("after")!);
      return route.continue({ url: url.toString() });
    });
    await bob.context().setOffline(true);
    await expect(bob.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeVisible();
    const missed = unique("Missed while away");
    await tasks.addTask(missed);
    const refetched = bob.waitForResponse((r) => new URL(r.url()).pathname === "/api/activity" && r.ok());
    await bob.context().setOffline(false);
    await refetched;

    await bobFeed.expectEvents(`created task ${missed}`, 1, { timeout: 10_000 });
    // Not merged: the feed is its first page again, not the whole log replayed into it.
    await expect.poll(() => bobFeed.loadedEvents()).toBe(30);
    const after = unique("After the reset");
    await tasks.addTask(after);
    await bobFeed.expectEvents(`created task ${after}`, 1, { timeout: 5_000 });
    await expect.poll(() => bobFeed.loadedEvents()).toBe(31);
    expect(await bobFeed.eventCount(first)).toBe(1);
    // The stream after the reset resumes from the refetched page's head, not from the start again.
    expect(streams[0]).toBe("0");
    expect(Number(streams.at(-1))).toBeGreaterThan(20);
    await bob.context().close();
    await alice.context().close();
  });

  test("signing out ends the open streams of the user at once", async ({ browser, consoleErrors }) => {
    // The feed tab's stream reconnects and is refused: signed out.
    consoleErrors.allow(/status of 401 \(Unauthorized\)/);
    test.slow();
    const bob = await signedIn(browser, DEMO.bob);
    const bobFeed = new ActivityPage(bob);
    await bobFeed.goto();
    const alice = await signedIn(browser, DEMO.alice);
    const tasks = new TasksPage(alice);
    const first = unique("Before sign-out");
    await tasks.addTask(first);
    await bobFeed.expectEvents(first, 1, { timeout: 5_000 });

    // Bob signs out in another tab; the feed tab's stream was opened with the old cookie.
    const other = await bob.context().newPage();
    await other.goto("/tasks");
    await other.getByRole("button", { name: "Sign out" }).click();
    await expect(other).toHaveURL(/\/login/);
    // Refused for want of a session: it says so and stops, instead of "Reconnecting…" forever.
    const ended = bob.getByRole("status").filter({ hasText: "Your session ended" });
    await expect(ended).toBeVisible({ timeout: 10_000 });
    await expect(ended.getByRole("link", { name: "Sign in again" })).toHaveAttribute("href", "/login");
    await expect(bob.getByRole("status").filter({ hasText: "Reconnecting…" })).toHaveCount(0);

    const later = unique("After sign-out");
    await tasks.addTask(later);
    await bob.waitForTimeout(1_500);
    expect(await bobFeed.eventCount(later)).toBe(0);
    await bob.context().close();
    await alice.context().close();
  });

  test("a dropped stream resumes without loss or repeats", async ({ browser }) => {
    const bob = await signedIn(browser, DEMO.bob);
    const bobFeed = new ActivityPage(bob);
    await bobFeed.goto();
    // Wait until hydrated and streaming: a first live event arrives.
    const alice = await signedIn(browser, DEMO.alice);
    const tasks = new TasksPage(alice);
    const first = unique("Before the drop");
    await tasks.addTask(first);
    await bobFeed.expectEvents(first, 1, { timeout: 5_000 });

    await bob.context().setOffline(true);
    await expect(bob.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeVisible();
    const titles = [unique("While offline A"), unique("While offline B")];
    for (const title of titles) await tasks.addTask(title);
    await bob.waitForTimeout(500);
    await bob.context().setOffline(false);

    for (const title of titles) {
      await bobFeed.expectEvents(`created task ${title}`, 1, { timeout: 10_000 });
    }
    await expect(bob.getByRole("status").filter({ hasText: "Reconnecting…" })).toHaveCount(0);
    expect(await bobFeed.eventCount(first)).toBe(1);
    await bob.waitForTimeout(1_000);
    for (const title of titles) expect(await bobFeed.eventCount(title)).toBe(1);
    await bob.context().close();
    await alice.context().close();
  });
});
