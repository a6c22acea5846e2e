import { expect, test } from "./fixtures";
import { AuditLogPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

test.describe("the Integrity panel on the audit log", () => {
  test("an admin verifies the hash chain and the outcome stays on the page", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
    // One more event to seal, so the chain includes one written by this run.
    const tasks = new TasksPage(page);
    await tasks.goto();
    await tasks.addTask(`Integrity task ${Date.now()}`);

    const audit = new AuditLogPage(page);
    await audit.goto();
    const panel = page.getByRole("region", { name: "Integrity" });
    await expect(panel).toBeVisible();
    const button = panel.getByRole("button", { name: "Verify now" });
    await button.click();
    const outcome = panel.getByRole("status", { name: "Last verification" });
    await expect(outcome).toContainText("Intact.");
    await expect(outcome).toContainText(/[\d,]+ events checked, up to number [\d,]+/);
    await expect(outcome).toContainText("Verified just now");

    // The server recorded it: a fresh load shows the same outcome with its time.
    const text = await outcome.textContent();
    const checked = /([\d,]+) events checked/.exec(text ?? "")?.[1];
    await audit.goto();
    await expect(outcome).toContainText(`${checked} events checked`);
    // In the app's one format for exact times, naming the zone.
    await expect(outcome).toContainText(/Verified [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d:\d\d UTC/);
  });

  test("a member sees no audit log, so no Integrity panel", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.bob);
    await page.goto("/admin/audit");
    await expect(page.getByRole("region", { name: "Integrity" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Verify now" })).toHaveCount(0);
  });
});
