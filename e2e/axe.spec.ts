import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { DEMO, LoginPage } from "./pages/login-page";

/**
 * Every page through axe-core (issue 14), as the account that may see it, at a desktop and a phone width,
 * in the light and the dark colour scheme, by the WCAG 2.0–2.2 A and AA rules (2.2's target size: tap targets of
 * 24 px or more). Serious and critical violations fail the test.
 */

const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
const SCHEMES = ["light", "dark"] as const;

async function violations(page: Page) {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ rule: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
}

/**
 * The first link on the page whose path matches, resolved to its path: a real task, project or record. Polled:
 * parts of a page (the audit log's table) stream in after its heading.
 */
async function firstPath(page: Page, pattern: RegExp): Promise<string> {
  const find = async () => {
    const hrefs = await page.locator("main a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    return hrefs.find((href): href is string => href !== null && pattern.test(href));
  };
  await expect.poll(find, { message: `a link matching ${pattern}` }).toBeTruthy();
  return (await find())!;
}

for (const [widthName, viewport] of Object.entries(WIDTHS)) {
  for (const colorScheme of SCHEMES) {
    test.describe(`${widthName}, ${colorScheme}`, () => {
      test.use({ viewport });

      test("the login page has no serious accessibility violations", async ({ page }) => {
        await page.emulateMedia({ colorScheme });
        await page.goto("/login");
        await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
        expect(await violations(page), "/login").toEqual([]);
      });

      test("the app's pages have no serious accessibility violations", async ({ page }) => {
        // Nine pages, each through axe: more than the default budget on a busy machine.
        test.setTimeout(120_000);
        await page.emulateMedia({ colorScheme });
        // Alice is an admin of Acme: she sees every page, the audit log included.
        await new LoginPage(page).signInAs(DEMO.alice);
        const task = await firstPath(page, /^\/tasks\/\d+$/);
        await page.goto("/projects");
        const project = await firstPath(page, /^\/projects\/\d+$/);
        await page.goto("/admin/audit");
        const auditEvent = await firstPath(page, /^\/admin\/audit\/events\/\d+$/);
        const pages = [
          { path: "/tasks", ready: page.getByRole("heading", { name: "Tasks", level: 1 }) },
          { path: task, ready: page.getByRole("heading", { level: 1 }) },
          { path: "/projects", ready: page.getByRole("heading", { name: "Projects", level: 1 }) },
          { path: project, ready: page.getByRole("heading", { level: 1 }) },
          { path: "/activity", ready: page.getByRole("heading", { name: "Activity", level: 1 }) },
          { path: "/admin", ready: page.getByRole("heading", { level: 1 }) },
          { path: "/admin/audit", ready: page.getByRole("heading", { level: 1 }) },
          { path: `/admin/audit/task/${task.split("/").pop()}`, ready: page.getByRole("heading", { level: 1 }) },
          { path: auditEvent, ready: page.getByRole("heading", { level: 1 }) },
        ];
        for (const { path, ready } of pages) {
          await page.goto(path);
          await expect(ready).toBeVisible();
          expect(await violations(page), path).toEqual([]);
        }
      });
    });
  }
}

test.describe("at a phone's width", () => {
  test.use({ viewport: WIDTHS.phone });

  test("the feed and the audit log do not scroll sideways", async ({ page }) => {
    await new LoginPage(page).signInAs(DEMO.alice);
    for (const path of ["/activity", "/admin/audit"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      const { scrollWidth, clientWidth } = await page.evaluate(() => {
        const root = document.scrollingElement!;
        return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
      });
      expect(scrollWidth, path).toBeLessThanOrEqual(clientWidth);
    }
  });
});
