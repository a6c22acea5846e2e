import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { createCommentSchema } from "./comments";
import { idSchema } from "./fields";
import { projectInputSchema, updateProjectSchema } from "./projects";
import { cancelTaskSchema, createTaskSchema, updateTaskSchema } from "./tasks";

/** The field errors of a form parsed by a schema, keyed as the actions report them. */
function fieldErrors(schema: z.ZodType, form: Record<string, string>): Record<string, string[]> {
  const parsed = schema.safeParse(form);
  if (parsed.success) return {};
  const errors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "form");
    errors[key] = [...(errors[key] ?? []), issue.message];
  }
  return errors;
}

const task = { id: "1", title: "Water the plants", status: "todo", projectId: "", assigneeId: "", dueDate: "" };

describe("form ids", () => {
  const badIds = ["2147483648", "99999999999999999999", "0x10", " 12 ", "12 ", "1e3", "0", "-1", "1.5", "+12", "012"];

  it.each(badIds)("refuses %j as an id, task id, project id or assignee id", (bad) => {
    expect(Object.keys(fieldErrors(idSchema, { id: bad }))).toEqual(["id"]);
    expect(Object.keys(fieldErrors(updateTaskSchema, { ...task, id: bad }))).toEqual(["id"]);
    expect(Object.keys(fieldErrors(cancelTaskSchema, { id: bad, reason: "Duplicate" }))).toEqual(["id"]);
    expect(Object.keys(fieldErrors(updateProjectSchema, { id: bad, name: "Billing", description: "" }))).toEqual([
      "id",
    ]);
    expect(Object.keys(fieldErrors(createCommentSchema, { taskId: bad, body: "Done" }))).toEqual(["taskId"]);
    expect(Object.keys(fieldErrors(createTaskSchema, { ...task, projectId: bad }))).toEqual(["projectId"]);
    expect(Object.keys(fieldErrors(updateTaskSchema, { ...task, assigneeId: bad }))).toEqual(["assigneeId"]);
  });

  it("takes decimal ids up to 2^31-1, and an empty select as none", () => {
    expect(updateTaskSchema.parse({ ...task, id: "2147483647", projectId: "7", assigneeId: "" })).toMatchObject({
      id: 2_147_483_647,
      projectId: 7,
      assigneeId: null,
    });
    expect(idSchema.parse({ id: 12 })).toEqual({ id: 12 });
  });
});

describe("text fields", () => {
  const nul = "bad\u0000text";

  it("refuses a NUL character in every text field", () => {
    expect(Object.keys(fieldErrors(createTaskSchema, { ...task, title: nul }))).toEqual(["title"]);
    expect(Object.keys(fieldErrors(updateTaskSchema, { ...task, title: nul }))).toEqual(["title"]);
    expect(Object.keys(fieldErrors(cancelTaskSchema, { id: "1", reason: nul }))).toEqual(["reason"]);
    expect(Object.keys(fieldErrors(createCommentSchema, { taskId: "1", body: nul }))).toEqual(["body"]);
    expect(Object.keys(fieldErrors(projectInputSchema, { name: nul, description: "" }))).toEqual(["name"]);
    expect(Object.keys(fieldErrors(projectInputSchema, { name: "Billing", description: nul }))).toEqual([
      "description",
    ]);
  });
});

describe("due dates", () => {
  it.each(["0000-01-01", "10000-01-01", "2026-02-30", "2026-1-1"])("refuses %j", (bad) => {
    expect(Object.keys(fieldErrors(createTaskSchema, { ...task, dueDate: bad }))).toEqual(["dueDate"]);
  });

  it("takes the years 1 to 9999", () => {
    expect(createTaskSchema.parse({ ...task, dueDate: "0001-01-01" }).dueDate).toBe("0001-01-01");
    expect(createTaskSchema.parse({ ...task, dueDate: "9999-12-31" }).dueDate).toBe("9999-12-31");
  });
});
