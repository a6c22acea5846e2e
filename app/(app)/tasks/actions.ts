"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formAction } from "@/lib/actions";
import { isAdmin } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { createComment, createCommentSchema, deleteComment } from "@/lib/demo/comments";
import { idSchema } from "@/lib/demo/fields";
import { createTask, createTaskSchema, deleteTask, updateTask, updateTaskSchema } from "@/lib/demo/tasks";
import { ok } from "@/lib/result";

export const createTaskAction = formAction(createTaskSchema, async (input, viewer) => {
  const db = await getDb();
  const task = await db.transaction((tx) => createTask(tx, viewer.workspace.id, input));
  revalidatePath("/tasks");
  return ok({ id: task.id });
});

export const updateTaskAction = formAction(updateTaskSchema, async (input, viewer) => {
  const db = await getDb();
  const task = await db.transaction((tx) => updateTask(tx, viewer.workspace.id, input));
  revalidatePath("/tasks");
  return ok({ id: task.id });
});

export const deleteTaskAction = formAction(idSchema, async ({ id }, viewer) => {
  const db = await getDb();
  await db.transaction((tx) => deleteTask(tx, viewer.workspace.id, id));
  revalidatePath("/tasks");
  redirect("/tasks");
});

export const createCommentAction = formAction(createCommentSchema, async (input, viewer) => {
  const db = await getDb();
  const comment = await db.transaction((tx) => createComment(tx, viewer.workspace.id, viewer.user.id, input));
  revalidatePath(`/tasks/${input.taskId}`);
  return ok({ id: comment.id });
});

export const deleteCommentAction = formAction(idSchema, async ({ id }, viewer) => {
  const db = await getDb();
  const comment = await db.transaction((tx) =>
    deleteComment(tx, viewer.workspace.id, { userId: viewer.user.id, isAdmin: isAdmin(viewer) }, id),
  );
  revalidatePath(`/tasks/${comment.taskId}`);
  return ok({ id });
});
