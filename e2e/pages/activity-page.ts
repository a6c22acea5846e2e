import { expect, type Page } from "@playwright/test";

export class ActivityPage {
  constructor(readonly page: Page) {}

  async goto(query = "") {
    await this.page.goto(`/activity${query}`);
    await expect(this.page.getByRole("heading", { name: "Activity", level: 1 })).toBeVisible();
  }

  get list() {
    return this.page.getByRole("list", { name: "Activity" });
  }

  /** One per event. */
  get lines() {
    return this.list.getByRole("listitem");
  }

  line(text: string | RegExp) {
    return this.lines.filter({ hasText: text });
  }

  get filters() {
    return this.page.getByRole("form", { name: "Filters" });
  }

  get user() {
    return this.filters.getByLabel("User");
  }

  get action() {
    return this.filters.getByLabel("Action");
  }

  get record() {
    return this.filters.getByLabel("Record");
  }

  /** The record filter's value as the form sends it (`task:42`), whatever name the field shows. */
  get recordValue() {
    return this.filters.locator('input[type="hidden"][name="record"]');
  }

  /** The chip of a filter in force ("User: Bob Brown"), by its remove button. */
  removeChip(text: string | RegExp) {
    const name = typeof text === "string" ? `Remove filter ${text}` : new RegExp(`^Remove filter ${text.source}`);
    return this.page.getByRole("button", { name, exact: typeof text === "string" });
  }

  async apply() {
    await this.filters.getByRole("button", { name: "Apply" }).click();
  }

  /** The floating button that shows events which arrived while the reader was further down. */
  newEventsPill(count?: number) {
    const name = count === undefined ? /^\d+ new events?$/ : `${count} new event${count === 1 ? "" : "s"}`;
    return this.page.getByRole("button", { name });
  }

  async scrollToEnd() {
    await this.page.getByRole("button", { name: "Load more" }).scrollIntoViewIfNeeded();
  }
}
