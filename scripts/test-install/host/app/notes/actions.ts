"use server";

import { and, eq, ne } from "drizzle-orm";
import { notes, type Note } from "@/db/schema";
import { withActivityRequest } from "@/lib/activity/next";
import { activity, currentUser } from "@/lib/activity-kit";

export type NoteResult = { ok: true; note: Note } | { ok: false; error: string };

/** Creates a note in the user's team; the event records the new row. */
export async function createNoteAction(title: string): Promise<NoteResult> {
  return withActivityRequest(currentUser, () =>
    activity.withTracking(
      currentUser,
      "insert",
      (result: NoteResult) => (result.ok ? `note ${result.note.title}` : ""),
      async (tx): Promise<NoteResult> => {
        const [note] = await tx.insert(notes).values({ teamId: currentUser.workspaceId, title }).returning();
        return { ok: true, note };
      },
    ),
  );
}

/**
 * Renames a note. A title another note of the team already has is refused after the update: the
 * transaction rolls back, so neither the change nor its event is stored.
 */
export async function renameNoteAction(id: number, title: string): Promise<NoteResult> {
  return withActivityRequest(currentUser, () =>
    activity.withTracking(
      currentUser,
      "update",
      (result: NoteResult) => (result.ok ? `note ${result.note.title}` : ""),
      async (tx): Promise<NoteResult> => {
        const [note] = await tx
          .update(notes)
          .set({ title, updatedAt: new Date() })
          .where(and(eq(notes.id, id), eq(notes.teamId, currentUser.workspaceId)))
          .returning();
        if (!note) return { ok: false, error: "No such note." };
        const [taken] = await tx
          .select({ id: notes.id })
          .from(notes)
          .where(and(eq(notes.teamId, currentUser.workspaceId), eq(notes.title, title), ne(notes.id, id)));
        if (taken) return { ok: false, error: "Another note has that title." };
        return { ok: true, note };
      },
    ),
  );
}
