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

  /**
   * The feed's lines as the reader sees them: one per event, or one for a collapsed run of events ("Alice
   * Adams created 9 tasks"), whose own lines are nested in it while it is open.
   */
  get lines() {
    return this.list.locator(":scope > li");
  }

  line(text: string | RegExp) {
    return this.lines.filter({ hasText: text });
  }

  /** The buttons that expand a collapsed line to the events it stands for. */
  get collapsed() {
    return this.list.getByRole("button", { expanded: false });
  }

  /**
   * Opens every collapsed line, so each loaded event has a line of its own. In one step, without scrolling
   * to each button (e2e/collapse.spec.ts opens one with the keyboard): a reader scrolled down would get new
   * events behind the pill instead of in the list, and a poll over this must stay quick.
   */
  async expandAll() {
    await this.collapsed.evaluateAll((buttons) => {
      for (const button of buttons) (button as HTMLButtonElement).click();
    });
  }

  /**
   * One per event whose line is shown: the lines with no events nested in them (a collapsed run counts as
   * one until `expandAll`).
   */
  get eventLines() {
    return this.list.getByRole("listitem").filter({ hasNot: this.page.getByRole("list") });
  }

  /** How many lines of events matching `text` the feed holds, once every run is open (poll it). */
  async eventCount(text: string | RegExp) {
    await this.expandAll();
    return this.eventLines.filter({ hasText: text }).count();
  }

  /** Waits until the feed holds `count` lines of events matching `text`, every run opened. */
  async expectEvents(text: string | RegExp, count: number, { timeout }: { timeout?: number } = {}) {
    await expect.poll(() => this.eventCount(text), { timeout }).toBe(count);
  }

  /** How many events the loaded lines stand for, collapsed or not. */
  async loadedEvents() {
    const counts = await this.lines.evaluateAll((lis) => lis.map((li) => Number(li.getAttribute("data-events"))));
    return counts.reduce((sum, n) => sum + n, 0);
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
