import { randomUUID } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { RecordHistoryPage } from "./pages/audit-page";
import { DEMO, LoginPage } from "./pages/login-page";
import { TasksPage } from "./pages/tasks-page";

/**
 * What axe-core found on these pages (issue 14), checked in the browser by the rules' own arithmetic:
 * WCAG contrast of the rendered colours, heading levels in document order, landmarks' role and name.
 */

/** The WCAG contrast ratio of an element's text colour on its background, as the browser paints them. */
function contrastOf(locator: Locator): Promise<number> {
  return locator.evaluate((element) => {
    const style = getComputedStyle(element);
    // A canvas turns any CSS colour (Tailwind 4 writes oklch) into sRGB bytes.
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const context = canvas.getContext("2d", { willReadFrequently: true })!;
    const rgb = (color: string) => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = color;
      context.fillRect(0, 0, 1, 1);
      return [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    };
    const luminance = (color: number[]) => {
      const [r, g, b] = color.map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const [light, dark] = [luminance(rgb(style.color)), luminance(rgb(style.backgroundColor))].sort((a, b) => b - a);
    return (light! + 0.05) / (dark! + 0.05);
  });
}

/** Heading levels in document order; axe's heading-order wants no level skipped on the way down. */
function headingLevels(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => Number(h.tagName.slice(1))),
  );
}

/** Each landmark as "role name"; axe's landmark-unique wants no two alike. */
function landmarks(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const name = (el: Element) => {
      const by = el.getAttribute("aria-labelledby");
      if (by)
        return by
          .split(" ")
          .map((id) => document.getElementById(id)?.textContent?.trim() ?? "")
          .join(" ");
      return el.getAttribute("aria-label") ?? "";
    };
    const found: string[] = [];
    for (const el of document.querySelectorAll("main, nav, aside, header, footer, section, form, [role]")) {
      const role =
        el.getAttribute("role") ??
        ({ MAIN: "main", NAV: "navigation", ASIDE: "complementary", HEADER: "banner", FOOTER: "contentinfo" }[
          el.tagName
        ] ||
          (name(el) ? { SECTION: "region", FORM: "form" }[el.tagName] : undefined));
      if (
        !role ||
        !["main", "navigation", "complementary", "banner", "contentinfo", "region", "form", "search"].includes(role)
      )
        continue;
      found.push(`${role} ${name(el)}`);
    }
    return found;
  });
}

test("the cancelled badge reads at 4.5:1 or more", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.bob);
  const tasks = new TasksPage(page);
  const title = `Contrast ${randomUUID().slice(0, 8)}`;
  await tasks.addTask(title);
  await tasks.open(title);
  const cancel = page.getByRole("region", { name: "Cancel task" });
  await cancel.getByLabel("Reason").fill("Checking the badge");
  await cancel.getByRole("button", { name: "Cancel task" }).click();
  const badge = page.getByRole("heading", { name: title, level: 1 }).locator("..").getByText("Cancelled");
  await expect(badge).toBeVisible();
  expect(await contrastOf(badge)).toBeGreaterThanOrEqual(4.5);
  await tasks.goto();
  const listed = page.getByRole("list", { name: "Tasks" }).getByRole("listitem").filter({ hasText: title });
  expect(await contrastOf(listed.getByText("Cancelled"))).toBeGreaterThanOrEqual(4.5);
});

test("a record's history skips no heading level and names its landmarks apart", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  const tasks = new TasksPage(page);
  const title = `Landmarks ${randomUUID().slice(0, 8)}`;
  await tasks.addTask(title);
  const id = await tasks.open(title);
  const form = page.getByRole("region", { name: "Edit task" });
  for (const next of [`${title} 2`, `${title} 3`]) {
    await form.getByLabel("Title").fill(next);
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("heading", { name: next, level: 1 })).toBeVisible();
  }
  await new RecordHistoryPage(page).goto("task", id);
  await expect(page.getByRole("list", { name: "History" }).getByRole("listitem")).toHaveCount(3);

  const levels = await headingLevels(page);
  expect(levels).toContain(3);
  for (let i = 1; i < levels.length; i++)
    expect(levels[i]!, `heading ${i} of ${levels}`).toBeLessThanOrEqual(levels[i - 1]! + 1);
  const found = await landmarks(page);
  expect(found.filter((l, i) => found.indexOf(l) !== i)).toEqual([]);
});
