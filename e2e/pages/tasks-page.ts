import { expect, type Page } from "@playwright/test";

export class TasksPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/tasks");
    await expect(this.page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  }

  taskLink(title: string) {
    return this.page.getByRole("list", { name: "Tasks" }).getByRole("link", { name: title, exact: true });
  }

  async addTask(title: string) {
    await this.page.getByLabel("Title").fill(title);
    await this.page.getByRole("button", { name: "Add task" }).click();
    await expect(this.taskLink(title)).toBeVisible();
  }

  /** Opens the task's page and returns its id from the URL. */
  async open(title: string): Promise<number> {
    await this.taskLink(title).click();
    await expect(this.page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
    return Number(new URL(this.page.url()).pathname.split("/").pop());
  }
}
