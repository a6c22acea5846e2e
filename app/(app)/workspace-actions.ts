"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formAction } from "@/lib/actions";
import { membershipOf, WORKSPACE_COOKIE } from "@/lib/auth/viewer";
import { decimalId } from "@/lib/demo/fields";
import { fail } from "@/lib/result";

const switchSchema = z.object({ workspaceId: decimalId(undefined, "Choose one of your workspaces.") });

export const switchWorkspaceAction = formAction(switchSchema, async ({ workspaceId }, viewer) => {
  // Only a workspace the user belongs to.
  if (!(await membershipOf(viewer.user.id, workspaceId))) {
    return fail("forbidden", "You are not a member of that workspace.");
  }
  (await cookies()).set(WORKSPACE_COOKIE, String(workspaceId), {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    maxAge: 60 * 60 * 24 * 365,
  });
  redirect("/tasks");
});
