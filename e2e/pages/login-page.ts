import { expect, type Page } from "@playwright/test";

export const DEMO = {
  alice: "alice@acme.test",
  bob: "bob@acme.test",
  carol: "carol@globex.test",
  password: "demo-password",
} as const;

export class LoginPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/login");
  }

  async signIn(email: string, password: string = DEMO.password) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /** Signs in and waits for the app to show the tasks page. */
  async signInAs(email: string) {
    await this.goto();
    await this.signIn(email);
    await expect(this.page).toHaveURL(/\/tasks$/);
  }
}
