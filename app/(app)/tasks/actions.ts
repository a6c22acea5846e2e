"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formAction } from "@/lib/actions";
import { operations } from "@/lib/demo/app-operations";
import { createCommentSchema } from "@/lib/demo/comments";
import { idSchema } from "@/lib/demo/fields";
import { cancelTaskSchema, createTaskSchema, updateTaskSchema } from "@/lib/demo/tasks";
import { ok } from "@/lib/result";

export const createTaskAction = formAction(createTaskSchema, async (input, viewer) => {
  const result = await operations.createTask(viewer, input);
  revalidatePath("/tasks");
  return result.ok ? ok({ id: result.data.id }) : result;
});

export const updateTaskAction = formAction(updateTaskSchema, async (input, viewer) => {
  const result = await operations.updateTask(viewer, input);
  revalidatePath("/tasks");
  return result.ok ? ok({ id: result.data.id }) : result;
});

export const cancelTaskAction = formAction(cancelTaskSchema, async (input, viewer) => {
  const result = await operations.cancelTask(viewer, input);
  revalidatePath("/tasks");
  return result.ok ? ok({ id: result.data.id }) : result;
});

export const deleteTaskAction = formAction(idSchema, async (input, viewer) => {
  const result = await operations.deleteTask(viewer, input);
  if (!result.ok) return result;
  revalidatePath("/tasks");
  redirect("/tasks");
});

export const createCommentAction = formAction(createCommentSchema, async (input, viewer) => {
  const result = await operations.createComment(viewer, input);
  revalidatePath(`/tasks/${input.taskId}`);
  return result.ok ? ok({ id: result.data.id }) : result;
});

export const deleteCommentAction = formAction(idSchema, async (input, viewer) => {
  const result = await operations.deleteComment(viewer, input);
  if (result.ok) revalidatePath(`/tasks/${result.data.taskId}`);
  return result.ok ? ok({ id: result.data.id }) : result;
});
