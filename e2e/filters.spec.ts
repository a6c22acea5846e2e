import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { AuditLogPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";

/** A date `daysBack` days before today, as the audit log's date fields hold it (UTC, like `from` and `to`). */
const utcDay = (daysBack: number) => new Date(Date.now() - daysBack * 86_400_000).toISOString().slice(0, 10);

// Issue 14, "Filters" and "Phone": the record picker, the chips, the date presets, clean URLs, the fold.
test.describe("filters people use gladly", () => {
  test.beforeEach(async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
  });

  test("a record is picked by typing part of its name and choosing it with the keyboard", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto();
    // The first page: 30 events, however many lines they collapse into.
    await expect.poll(() => feed.loadedEvents()).toBe(30);

    await feed.record.fill("pricing");
    const options = page.getByRole("listbox", { name: "Matches" }).getByRole("option");
    await expect(options.first()).toBeVisible();
    await expect(feed.record).toHaveAttribute("aria-expanded", "true");
    for (const option of await options.all()) await expect(option).toContainText(/pricing/i);

    await feed.record.press("ArrowDown");
    await expect(options.first()).toHaveAttribute("aria-selected", "true");
    const optionId = await options.first().getAttribute("id");
    await expect(feed.record).toHaveAttribute("aria-activedescendant", optionId!);
    const label = (await options.first().locator("span").first().textContent())!;
    await feed.record.press("Enter");

    // The URL holds that one filter, nothing blank beside it; the feed is that record's history.
    await expect(page).toHaveURL(/\/activity\?record=task%3A\d+$/);
    await expect(feed.record).toHaveValue(label);
    await expect(feed.recordValue).toHaveValue(/^task:\d+$/);
    await expect(feed.removeChip(`Record: ${label}`)).toBeVisible();
    await expect(feed.lines.first()).toBeVisible();
    expect(await feed.loadedEvents()).toBeLessThan(30);
    await expect(feed.lines.filter({ hasNotText: label })).toHaveCount(0);
  });

  test("a name typed but not picked holds the form back; Escape closes the list, then clears", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto();
    await feed.record.fill("pricing");
    const list = page.getByRole("listbox", { name: "Matches" });
    await expect(list.getByRole("option").first()).toBeVisible();
    await feed.record.press("Escape");
    await expect(list).toBeHidden();
    await expect(feed.record).toHaveAttribute("aria-expanded", "false");
    await expect(feed.record).toHaveValue("pricing");

    await feed.apply();
    await expect(feed.record).toHaveJSProperty(
      "validationMessage",
      "Choose a record from the list, or clear the field.",
    );
    await expect(page).toHaveURL(/\/activity$/);

    // The field has the focus back (and its list, open again); Escape closes that, then clears the field.
    await feed.record.press("Escape");
    await expect(list).toBeHidden();
    await feed.record.press("Escape");
    await expect(feed.record).toHaveValue("");
    await expect(feed.record).toHaveJSProperty("validationMessage", "");
  });

  test("each filter in force is a chip that removes it; Clear all removes them all", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto();
    await feed.user.selectOption({ label: "Bob Brown" });
    await feed.action.selectOption({ label: "Updated" });
    await feed.apply();
    await expect(page).toHaveURL(/\/activity\?actor=\d+&action=update$/);

    await expect(feed.removeChip("User: Bob Brown")).toBeVisible();
    await expect(feed.removeChip("Action: Updated")).toBeVisible();
    // From the keyboard: the focus stays on the chips, on the one left.
    await feed.removeChip("User: Bob Brown").focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/activity\?action=update$/);
    await expect(feed.removeChip("Action: Updated")).toBeFocused();
    await expect(feed.user).toHaveValue("");
    await expect(feed.action).toHaveValue("update");
    await expect(feed.removeChip("User: Bob Brown")).toHaveCount(0);
    await expect(feed.lines.first()).toBeVisible();
    await expect(feed.lines.filter({ hasNotText: " updated " })).toHaveCount(0);

    await page.getByRole("button", { name: "Clear all" }).click();
    await expect(page).toHaveURL(/\/activity$/);
    await expect(feed.removeChip(/Action: /)).toHaveCount(0);
    await expect.poll(() => feed.loadedEvents()).toBe(30);
  });

  test("a plain form's blank fields are dropped from the URL", async ({ page }) => {
    const feed = new ActivityPage(page);
    await feed.goto("?actor=&action=update&record=");
    await expect(page).toHaveURL(/\/activity\?action=update$/);
    await expect(feed.action).toHaveValue("update");

    const audit = new AuditLogPage(page);
    await audit.goto("?actor=&action=&type=task&record=&from=&to=");
    await expect(page).toHaveURL(/\/admin\/audit\?type=task$/);
  });

  test("the audit log's date presets set From and To, and its filters submit without blanks", async ({ page }) => {
    const audit = new AuditLogPage(page);
    await audit.goto();
    const filters = page.getByRole("form", { name: "Filters" });
    const presets = filters.getByRole("group", { name: "Date range" });
    await presets.getByRole("button", { name: "Last 7 days" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/audit\\?from=${utcDay(6)}&to=${utcDay(0)}$`));
    await expect(filters.getByLabel("From", { exact: true })).toHaveValue(utcDay(6));
    await expect(filters.getByLabel("To", { exact: true })).toHaveValue(utcDay(0));
    await expect(presets.getByRole("button", { name: "Last 7 days" })).toHaveAttribute("aria-pressed", "true");
    await expect(presets.getByRole("button", { name: "Today" })).toHaveAttribute("aria-pressed", "false");
    await expect(page.getByRole("button", { name: `Remove filter From: ${utcDay(6)}` })).toBeVisible();

    await presets.getByRole("button", { name: "Today" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/audit\\?from=${utcDay(0)}&to=${utcDay(0)}$`));
    await expect(audit.table.getByRole("row").nth(1)).toBeVisible();

    await filters.getByLabel("Record type").selectOption("task");
    await filters.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/audit\\?type=task&from=${utcDay(0)}&to=${utcDay(0)}$`));
    await page.getByRole("button", { name: `Remove filter To: ${utcDay(0)}` }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/audit\\?type=task&from=${utcDay(0)}$`));
  });

  test("the audit log's record picker searches within the chosen record type", async ({ page }) => {
    const audit = new AuditLogPage(page);
    await audit.goto("?type=project");
    const record = page.getByRole("form", { name: "Filters" }).getByRole("combobox", { name: "Record", exact: true });
    await record.fill("e");
    const options = page.getByRole("listbox", { name: "Matches" }).getByRole("option");
    await expect(options.first()).toBeVisible();
    for (const option of await options.all()) await expect(option).toContainText(/project \d+$/);
    await record.press("ArrowDown");
    await record.press("Enter");
    await expect(page).toHaveURL(/\/admin\/audit\?record=project%3A\d+&type=project$/);
  });
});

test.describe("filters on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("fold behind one Filters button on the feed and the audit log", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
    for (const path of ["/activity?action=update", "/admin/audit?action=update"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      const toggle = page.getByRole("button", { name: "Filters", exact: true });
      const form = page.getByRole("form", { name: "Filters" });
      await expect(toggle, path).toHaveAttribute("aria-expanded", "false");
      await expect(form, path).toBeHidden();
      // The filters in force stay in view while the form is folded away.
      await expect(page.getByRole("button", { name: "Remove filter Action: Updated" }), path).toBeVisible();
      await toggle.click();
      await expect(toggle, path).toHaveAttribute("aria-expanded", "true");
      await expect(form, path).toBeVisible();
      await expect(form.getByLabel("Action"), path).toHaveValue("update");
      await toggle.click();
      await expect(form, path).toBeHidden();
    }
  });
});

test.describe("filters on a laptop", () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test("show the form itself, without a Filters button", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
    await page.goto("/activity");
    await expect(page.getByRole("form", { name: "Filters" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Filters", exact: true })).toBeHidden();
  });
});
