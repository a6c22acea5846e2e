/**
 * Screenshots for the README: the feed, the audit log and a record's history, light and dark, desktop and
 * phone. Run against a running server with the demo data:
 *   npm run build && npm run start -- -p 3000 &
 *   npx tsx scripts/screenshots.ts [http://127.0.0.1:3000]
 * Writes docs/screenshots/{feed,audit,history}-{light,dark}-{desktop,phone}.png.
 */
import { existsSync, mkdirSync } from "node:fs";
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? process.env.BASE_URL ?? "http://127.0.0.1:3000";
const outDir = "docs/screenshots";
const SYSTEM_CHROMIUM = "/usr/bin/chromium";

const widths = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
const schemes = ["light", "dark"] as const;

async function main() {
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch(
    existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] } : {},
  );
  try {
    for (const [widthName, viewport] of Object.entries(widths)) {
      for (const colorScheme of schemes) {
        const context = await browser.newContext({ viewport, colorScheme, baseURL: base });
        const page = await context.newPage();
        await page.goto("/login");
        await page.getByLabel("Email").fill("alice@acme.test");
        await page.getByLabel("Password").fill("demo-password");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(/\/tasks$/);
        const href = await page.locator('main a[href^="/tasks/"]').first().getAttribute("href");
        const taskId = href?.split("/").pop();
        const shots = { feed: "/activity", audit: "/admin/audit", history: `/admin/audit/task/${taskId}` };
        for (const [name, path] of Object.entries(shots)) {
          await page.goto(path);
          await page.getByRole("heading", { level: 1 }).waitFor();
          await page.waitForLoadState("networkidle").catch(() => {});
          const file = `${outDir}/${name}-${colorScheme}-${widthName}.png`;
          await page.screenshot({ path: file, fullPage: false });
          console.log(file);
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
