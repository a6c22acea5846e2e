import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { comments, users } from "@/lib/db/schema";
import type { Executor } from "@/lib/db/types";
import { AppError } from "@/lib/result";
import { plainText, requiredId } from "./fields";
import { getTask, lockTask } from "./tasks";
import { writtenAt } from "./written-at";

export const createCommentSchema = z.object({
  taskId: requiredId,
  body: plainText().trim().min(1, "Write something first.").max(5000, "A comment must be at most 5000 characters."),
});

export function listComments(db: Executor, workspaceId: number, taskId: number) {
  return db
    .select({
      id: comments.id,
      body: comments.body,
      createdAt: comments.createdAt,
      authorId: comments.authorId,
      authorName: users.name,
    })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(eq(comments.workspaceId, workspaceId), eq(comments.taskId, taskId)))
    .orderBy(asc(comments.id));
}

export async function createComment(
  db: Executor,
  workspaceId: number,
  authorId: number,
  input: z.output<typeof createCommentSchema>,
) {
  const task = await lockTask(db, workspaceId, input.taskId);
  const [comment] = await db
    .insert(comments)
    .values({
      workspaceId,
      taskId: input.taskId,
      authorId,
      body: input.body,
      createdAt: writtenAt(),
      updatedAt: writtenAt(),
    })
    .returning();
  return { ...comment!, taskTitle: task.title };
}

/** Authors delete their own comments; admins any comment of the workspace. */
export async function deleteComment(
  db: Executor,
  workspaceId: number,
  viewer: { userId: number; isAdmin: boolean },
  id: number,
) {
  const [comment] = await db
    .select()
    .from(comments)
    .where(and(eq(comments.workspaceId, workspaceId), eq(comments.id, id)))
    .for("update");
  if (!comment) throw new AppError("not_found", "That comment does not exist (it may have been deleted).");
  if (comment.authorId !== viewer.userId && !viewer.isAdmin)
    throw new AppError("forbidden", "Only the author or an admin can delete this comment.");
  const task = await getTask(db, workspaceId, comment.taskId);
  await db.delete(comments).where(eq(comments.id, id));
  return { ...comment, taskTitle: task?.title ?? `task ${comment.taskId}` };
}
