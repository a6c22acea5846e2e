"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { membershipOf, requireViewer, WORKSPACE_COOKIE } from "@/lib/auth/viewer";

const switchSchema = z.object({ workspaceId: z.coerce.number().int().positive() });

export async function switchWorkspaceAction(formData: FormData) {
  const viewer = await requireViewer();
  const parsed = switchSchema.safeParse(Object.fromEntries(formData));
  // Only a workspace the user belongs to; anything else leaves the current one in place.
  if (parsed.success && (await membershipOf(viewer.user.id, parsed.data.workspaceId))) {
    (await cookies()).set(WORKSPACE_COOKIE, String(parsed.data.workspaceId), {
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      maxAge: 60 * 60 * 24 * 365,
    });
  }
  redirect("/tasks");
}
