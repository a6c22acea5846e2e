import { test as base, type BrowserContext, expect, type Page } from "@playwright/test";

export { expect };

export interface ConsoleErrors {
  /** Lets errors matching this through, for a test that provokes them (a page that is a 404, say). */
  allow(pattern: RegExp): void;
}

/**
 * `test` for every spec: fails the test when any page it opened — through the `page` fixture or a context
 * of its own — logged a console error or threw (a hydration mismatch, a failed request, an uncaught
 * error), unless the test allowed that error.
 */
export const test = base.extend<{ consoleErrors: ConsoleErrors }>({
  consoleErrors: [
    async ({ browser, context }, use) => {
      const errors: string[] = [];
      const allowed: RegExp[] = [];
      const watchPage = (page: Page) => {
        page.on("console", (message) => {
          if (message.type() === "error") errors.push(`console error on ${page.url()}: ${message.text()}`);
        });
        page.on("pageerror", (error) => errors.push(`page error on ${page.url()}: ${error.name}: ${error.message}`));
      };
      const watchContext = (c: BrowserContext) => {
        for (const page of c.pages()) watchPage(page);
        c.on("page", watchPage);
      };
      watchContext(context);
      const newContext = browser.newContext;
      browser.newContext = async (...args) => {
        const created = await newContext.apply(browser, args);
        watchContext(created);
        return created;
      };
      try {
        await use({ allow: (pattern) => allowed.push(pattern) });
      } finally {
        browser.newContext = newContext;
      }
      const unexpected = errors.filter((e) => !allowed.some((pattern) => pattern.test(e)));
      expect(unexpected, "console errors and page errors").toEqual([]);
    },
    { auto: true },
  ],
});
