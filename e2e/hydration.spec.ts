import { randomUUID } from "node:crypto";
import { expect, test } from "./fixtures";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

/** A fixed-offset zone in which this instant falls in the hour after midnight. */
function zoneAtMidnightHour(iso: string): string {
  const hour = new Date(iso).getUTCHours();
  // Etc/GMT+N is N hours behind UTC (the sign is POSIX's).
  return hour <= 12 ? `Etc/GMT+${hour}` : `Etc/GMT-${24 - hour}`;
}

test("the audit pages hydrate without a mismatch when an event is in the hour after midnight", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  const tasks = new TasksPage(page);
  const title = `Wind the clock ${randomUUID().slice(0, 8)}`;
  await tasks.addTask(title);
  const id = await tasks.open(title);
  const response = await page.request.get(`/api/audit?record=task:${id}`);
  const [event] = (await response.json()).items as { occurredAt: string }[];
  const zone = zoneAtMidnightHour(event!.occurredAt);

  // The server renders times in the zone of the `tz` cookie; hydration must produce the same text.
  const { hostname } = new URL(page.url());
  await page.context().addCookies([{ name: "tz", value: encodeURIComponent(zone), domain: hostname, path: "/" }]);
  const html = await (await page.request.get(`/admin/audit/task/${id}`)).text();
  // …naming the zone by its offset ("UTC", "UTC-5"), which every ICU spells the same.
  expect(html).toMatch(/<time [^>]*>[A-Z][a-z]{2} \d{1,2}, \d{4}, 00:\d\d:\d\d UTC([+-]\d{1,2}(:\d\d)?)?<\/time>/);
  await page.goto(`/admin/audit/task/${id}`);
  await expect(page.getByRole("list", { name: "History" }).locator("time").first()).toBeVisible();
  await page.goto(`/admin/audit?record=task:${id}`);
  await expect(page.getByRole("table", { name: "Audit log" }).locator("time").first()).toBeVisible();
  // The fixture fails the test on the hydration error (React #418) if the texts differ.
});
