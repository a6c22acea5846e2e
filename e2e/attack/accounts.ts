import type { APIRequestContext, Browser, BrowserContext } from "@playwright/test";
import { expect } from "@playwright/test";
import type { DEMO_ACCOUNTS } from "@/lib/db/demo-accounts";
import { LoginPage } from "../pages/login-page";
import { callAction } from "./server-action";

export type DemoAccount = (typeof DEMO_ACCOUNTS)[number];

export interface SignedIn {
  account: DemoAccount;
  context: BrowserContext;
  request: APIRequestContext;
  userId: number;
  workspaceId: number;
}

/** Signs a demo account in through the login form, in a browser context of its own. */
export async function signIn(browser: Browser, account: DemoAccount): Promise<SignedIn> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signInAs(account.email);
  const session = await (await context.request.get("/api/auth/session")).json();
  const tasksHtml = await (await context.request.get("/tasks")).text();
  // The workspace switcher's props in the page's flight data list the viewer's own workspaces (one each).
  const workspaceId = Number(tasksHtml.match(/\\*"workspaces\\*":\[\{\\*"id\\*":(\d+)/)?.[1]);
  await page.close();
  const userId = Number(session.user.id);
  expect(Number.isSafeInteger(userId) && Number.isSafeInteger(workspaceId), "ids of the signed-in account").toBe(true);
  return { account, context, request: context.request, userId, workspaceId };
}

export interface WorkspaceRecords {
  workspaceId: number;
  marker: string;
  project: number;
  task: number;
  comment: number;
  /** An event of this workspace that has changes (revertable). */
  event: number;
}

/** Creates a project, a task in it and a comment on it, each carrying `marker`, through the app's actions. */
export async function createRecords(admin: SignedIn, marker: string): Promise<WorkspaceRecords> {
  const created = async (name: string, fields: Record<string, string>) => {
    const answer = await callAction(admin.request, name, fields);
    expect(answer.result, `${name} as ${admin.account.email}: ${answer.text}`).toMatchObject({ ok: true });
    return Number((answer.result as unknown as { data: { id: number } }).data.id);
  };
  const project = await created("createProjectAction", { name: `${marker} project`, description: marker });
  const task = await created("createTaskAction", {
    title: `${marker} task`,
    projectId: String(project),
    assigneeId: String(admin.userId),
    dueDate: "",
  });
  const comment = await created("createCommentAction", { taskId: String(task), body: `${marker} comment` });
  // The sequencer numbers events a tick after commit: wait until the task's history is readable.
  let event = 0;
  await expect
    .poll(async () => {
      const page = await (await admin.request.get(`/api/audit?record=task:${task}`)).json();
      event = Number(page.items?.find((i: { changes: unknown[] }) => i.changes.length > 0)?.id ?? 0);
      return event;
    })
    .toBeGreaterThan(0);
  return { workspaceId: admin.workspaceId, marker, project, task, comment, event };
}
