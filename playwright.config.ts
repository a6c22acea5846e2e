import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const PORT = process.env.E2E_PORT ?? "3100";
const baseURL = `http://127.0.0.1:${PORT}`;
const isCI = Boolean(process.env.CI);

// Debian's chromium when present (`npx playwright install` cannot download here);
// otherwise Playwright's own browser.
const SYSTEM_CHROMIUM = "/usr/bin/chromium";
const launchOptions = existsSync(SYSTEM_CHROMIUM)
  ? {
      executablePath: SYSTEM_CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    }
  : {};

const serverEnv: Record<string, string> = {};
for (const [key, value] of Object.entries(process.env)) {
  if (value !== undefined) serverEnv[key] = value;
}
serverEnv.NEXT_TELEMETRY_DISABLED = "1";
// Low enough that a test can miss more events than the stream replays (e2e/activity.spec.ts, the reset).
serverEnv.ACTIVITY_REPLAY_LIMIT ??= "20";

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: { ...devices["Desktop Chrome"], launchOptions },
      testIgnore: /attack-.*\.spec\.ts$/,
      teardown: "database checks",
    },
    // The attack suite writes hostile records into the demo workspaces: it runs after the other specs,
    // which read the seed, and before the database checks (the teardown of the project it depends on).
    {
      name: "attack",
      use: { ...devices["Desktop Chrome"], launchOptions },
      testMatch: /attack-.*\.spec\.ts$/,
      dependencies: ["chromium"],
    },
    { name: "database checks", testMatch: /\.teardown\.ts$/ },
  ],
  webServer: {
    command: `npm run start -- -p ${PORT} -H 127.0.0.1`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: !isCI,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: serverEnv,
  },
});
