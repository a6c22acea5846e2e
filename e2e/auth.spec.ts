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

test("pages do not re-issue the session cookie, so a request in flight at sign-out cannot restore it", async ({
  page,
}) => {
  await new LoginPage(page).signInAs(DEMO.alice);
  for (const path of ["/tasks", "/activity", "/projects"]) {
    const response = await page.request.get(path);
    expect(response.status()).toBe(200);
    const cookies = response
      .headersArray()
      .filter((h) => h.name.toLowerCase() === "set-cookie")
      .map((h) => h.value);
    expect(cookies.filter((c) => c.includes("session-token"))).toEqual([]);
  }
});

test("a signed-out visitor keeps the page they asked for", async ({ page }) => {
  await page.goto("/projects?x=1");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fprojects%3Fx%3D1$/);
  await new LoginPage(page).signIn(DEMO.alice);
  await expect(page).toHaveURL(/\/projects\?x=1$/);
});

test("a wrong password says so next to the form", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(DEMO.alice, "not-the-password");
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("too many failed sign-ins for one account say how long to wait, on the form and on Auth.js's own route", async ({
  page,
}) => {
  // An address of its own each run: the limit counts per account, known or not.
  const email = `limited-${Date.now()}@acme.test`;
  // Five failures through Auth.js's credentials route, which a script would use instead of the form.
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const codes: string[] = [];
  for (let i = 0; i < 6; i++) {
    const response = await page.request.post("/api/auth/callback/credentials", {
      form: { csrfToken, email, password: "not-the-password" },
      maxRedirects: 0,
    });
    codes.push(new URL(response.headers().location ?? "", "http://x").searchParams.get("code") ?? "");
  }
  expect(codes).toEqual(["credentials", "credentials", "credentials", "credentials", "credentials", "rate_limited"]);

  // The form says so.
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(email, "not-the-password");
  await expect(page.getByText("Too many sign-in attempts. Try again in 15 minutes.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  // Other accounts still sign in.
  await login.signIn(DEMO.carol);
  await expect(page).toHaveURL(/\/tasks$/);
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
