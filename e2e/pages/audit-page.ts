import { expect, type Page } from "@playwright/test";

/** The audit log (`/admin/audit`). */
export class AuditLogPage {
  constructor(readonly page: Page) {}

  async goto(query = "") {
    await this.page.goto(`/admin/audit${query}`);
    await expect(this.page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  }

  get table() {
    return this.page.getByRole("table", { name: "Audit log" });
  }

  exportLink(label: "CSV" | "JSON" | "NDJSON") {
    return this.page.getByRole("link", { name: label, exact: true });
  }
}

/** A record's history (`/admin/audit/<type>/<id>`). */
export class RecordHistoryPage {
  constructor(readonly page: Page) {}

  async goto(type: string, id: number | string) {
    await this.page.goto(`/admin/audit/${type}/${id}`);
    await expect(this.heading).toBeVisible();
  }

  get heading() {
    return this.page.getByRole("heading", { level: 1, name: /^History of / });
  }

  get events() {
    return this.page.getByRole("list", { name: "History" }).getByRole("listitem");
  }

  /** The event whose diff shows this text (a title before or after, say). */
  event(text: string | RegExp) {
    return this.events.filter({ hasText: text });
  }

  /** Shows the record's state at a local time (`YYYY-MM-DDTHH:mm:ss`). */
  async timeTravel(localTime: string) {
    const form = this.page.getByRole("form", { name: "Time travel" });
    await form.getByLabel("State at").fill(localTime);
    await form.getByRole("button", { name: "Show" }).click();
  }

  get state() {
    return this.page.getByRole("status", { name: "State at that time" });
  }
}
