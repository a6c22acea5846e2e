import { expect, test } from "./fixtures";
import { DEMO, LoginPage } from "./pages/login-page";

test("a signed-out visitor is sent to the login page", async ({ page }) => {
  await page.goto("/tasks");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText("alice@acme.test")).toBeVisible();
});

test("signs in with a demo account and out again", async ({ page }) => {
  const login = new LoginPage(page);
  await login.signInAs(DEMO.alice);
  await expect(page.getByText("Alice Adams · admin")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/tasks");
  await expect(page).toHaveURL(/\/login/);
});

test("a wrong password says so next to the form", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(DEMO.alice, "not-the-password");
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("a member cannot open the admin page", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.bob);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
});

test("an admin opens the admin page", async ({ page }) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("table", { name: "Members of Acme" })).toBeVisible();
  await expect(page.getByRole("cell", { name: DEMO.bob })).toBeVisible();
});
