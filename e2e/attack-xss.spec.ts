import { DEMO_ACCOUNTS } from "@/lib/db/demo-accounts";
import { type SignedIn, signIn } from "./attack/accounts";
import { callAction } from "./attack/server-action";
import { Tally } from "./attack/tally";
import { expect, test } from "./fixtures";

// Stored XSS (issue 13): payloads go in through every text field the app's actions take, then every view
// that shows them is opened in Chromium. A dialog (alert) fails the test, and so does any element or
// javascript: link the payloads would have injected; the payload must show as text instead.

const run = Date.now().toString(36);
/**
 * One string with each kind of payload, short enough for a project's name (120): every element it could
 * inject carries `data-x`; `tag` says which field it went through.
 */
const payload = (tag: string) =>
  `X-${tag}-${run}-<script data-x>alert(1)</script><img src=x onerror=alert(1) data-x>"><svg onload=alert(1) data-x>`;
const JS_URL = "javascript:alert('href')";

let alice: SignedIn;
const ids: Record<string, number> = {};
const tally = new Tally("xss");

async function created(name: string, fields: Record<string, string>): Promise<number> {
  const answer = await callAction(alice.request, name, fields);
  tally.saw(answer.status);
  expect(answer.result, `${name}: ${answer.text.slice(0, 300)}`).toMatchObject({ ok: true });
  return Number((answer.result as unknown as { data: { id: number } }).data.id);
}

test.beforeAll(async ({ browser }) => {
  alice = await signIn(browser, DEMO_ACCOUNTS.find((a) => a.email === "alice@acme.test")!);
  ids.project = await created("createProjectAction", { name: payload("pn"), description: JS_URL });
  await created("updateProjectAction", {
    id: String(ids.project),
    name: payload("pr"),
    description: payload("pd"),
  });
  const task = { projectId: String(ids.project), assigneeId: String(alice.userId), dueDate: "" };
  ids.task = await created("createTaskAction", { ...task, title: payload("tt") });
  await created("updateTaskAction", {
    ...task,
    id: String(ids.task),
    title: payload("tr"),
    status: "doing",
  });
  ids.comment = await created("createCommentAction", { taskId: String(ids.task), body: payload("cm") });
  ids.cancelled = await created("createTaskAction", { ...task, title: payload("ct") });
  await created("cancelTaskAction", { id: String(ids.cancelled), reason: payload("cr") });
});

test.afterAll(async () => {
  console.log(tally.line());
  await alice?.context.close();
});

const VIEWS = () => [
  "/tasks",
  `/tasks/${ids.task}`,
  `/tasks/${ids.cancelled}`,
  "/projects",
  `/projects/${ids.project}`,
  "/activity",
  `/activity?record=task:${ids.task}`,
  "/admin/audit",
  `/admin/audit?record=project:${ids.project}`,
  `/admin/audit/task/${ids.task}`,
  `/admin/audit/task/${ids.cancelled}`,
  `/admin/audit/project/${ids.project}`,
  `/admin/audit/comment/${ids.comment}`,
  `/admin/audit/task/${ids.task}?at=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
];

test("stored payloads render as text on every view: no dialog, no injected element, no javascript: link", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ storageState: await alice.context.storageState() });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(`${page.url()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  let views = 0;
  for (const url of VIEWS()) {
    const response = await page.goto(url);
    tally.saw(response?.status() ?? 0);
    expect(response?.status(), url).toBe(200);
    await expect(
      page
        .getByText(new RegExp(`X-[a-z]+-${run}-<script`))
        .filter({ visible: true })
        .first(),
      url,
    ).toBeVisible();
    expect(await page.locator("[data-x]").count(), `${url}: injected elements`).toBe(0);
    expect(await page.locator('a[href^="javascript:" i]').count(), `${url}: javascript: links`).toBe(0);
    views++;
  }

  // A payload that arrives live, through the stream, into an open feed.
  await page.goto("/activity");
  // The feed line names the task by its title: retitle it with a payload of its own.
  await created("updateTaskAction", {
    id: String(ids.task),
    title: payload("live"),
    status: "doing",
    projectId: String(ids.project),
    assigneeId: String(alice.userId),
    dueDate: "",
  });
  await expect(page.getByText(`X-live-${run}-`).filter({ visible: true }).first()).toBeVisible();
  expect(await page.locator("[data-x]").count(), "live feed: injected elements").toBe(0);
  views++;

  expect(dialogs, "dialogs opened by a payload").toEqual([]);
  console.log(`attack xss: ${views} views checked, ${dialogs.length} dialogs`);
  await context.close();
});

test("the export carries the payloads as data: an attachment of CSV or JSON, never HTML", async () => {
  for (const format of ["csv", "json", "ndjson"]) {
    const response = await alice.request.get(`/api/audit/export?format=${format}&record=task:${ids.task}`);
    tally.saw(response.status());
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"], format).not.toMatch(/html/);
    expect(response.headers()["content-disposition"], format).toMatch(/^attachment;/);
    expect(await response.text(), format).toContain(`X-tt-${run}-`);
  }
});
