"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formAction } from "@/lib/actions";
import { operations } from "@/lib/demo/app-operations";
import { idSchema } from "@/lib/demo/fields";
import { projectInputSchema, updateProjectSchema } from "@/lib/demo/projects";
import { ok } from "@/lib/result";

export const createProjectAction = formAction(projectInputSchema, async (input, viewer) => {
  const result = await operations.createProject(viewer, input);
  revalidatePath("/projects");
  return result.ok ? ok({ id: result.data.id }) : result;
});

export const updateProjectAction = formAction(updateProjectSchema, async (input, viewer) => {
  const result = await operations.updateProject(viewer, input);
  revalidatePath("/projects");
  return result.ok ? ok({ id: result.data.id }) : result;
});

export const deleteProjectAction = formAction(idSchema, async (input, viewer) => {
  const result = await operations.deleteProject(viewer, input);
  if (!result.ok) return result;
  revalidatePath("/projects");
  redirect("/projects");
});

export const archiveProjectAction = formAction(idSchema, async (input, viewer) => {
  const result = await operations.archiveProject(viewer, input);
  revalidatePath("/projects");
  revalidatePath(`/projects/${input.id}`);
  return result.ok ? ok({ cancelledTasks: result.data.cancelledTasks }) : result;
});
