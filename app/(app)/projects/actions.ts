"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formAction } from "@/lib/actions";
import { getDb } from "@/lib/db";
import {
  createProject,
  deleteProject,
  projectInputSchema,
  updateProject,
  updateProjectSchema,
} from "@/lib/demo/projects";
import { idSchema } from "@/lib/demo/fields";
import { ok } from "@/lib/result";

export const createProjectAction = formAction(projectInputSchema, async (input, viewer) => {
  const db = await getDb();
  const project = await db.transaction((tx) => createProject(tx, viewer.workspace.id, input));
  revalidatePath("/projects");
  return ok({ id: project.id });
});

export const updateProjectAction = formAction(updateProjectSchema, async ({ id, ...input }, viewer) => {
  const db = await getDb();
  await db.transaction((tx) => updateProject(tx, viewer.workspace.id, id, input));
  revalidatePath("/projects");
  return ok({ id });
});

export const deleteProjectAction = formAction(idSchema, async ({ id }, viewer) => {
  const db = await getDb();
  await db.transaction((tx) => deleteProject(tx, viewer.workspace.id, id));
  revalidatePath("/projects");
  redirect("/projects");
});
