import type { z } from "zod";
import type { activity } from "@/lib/activity-kit";
import { viewerActor } from "@/lib/actor";
import type { Comment, Project, Task } from "@/lib/db/schema";
import { ok, type Result } from "@/lib/result";
import { createComment, type createCommentSchema, deleteComment } from "./comments";
import type { idSchema } from "./fields";
import {
  archiveProject,
  createProject,
  deleteProject,
  openTaskIds,
  type ProjectInput,
  updateProject,
  type updateProjectSchema,
} from "./projects";
import {
  type CancelTaskInput,
  type CreateTaskInput,
  cancelTask,
  createTask,
  deleteTask,
  type UpdateTaskInput,
  updateTask,
} from "./tasks";

/** Who is acting, in which workspace: what every operation needs from the session. */
export interface OperationViewer {
  user: { id: number; name: string };
  workspace: { id: number; role: "admin" | "member" };
}

type Kit = Pick<typeof activity, "withTracking">;

/** A comment with the title of its task, for the feed line ("comment on Fix login"). */
type CommentOnTask = Comment & { taskTitle: string };

const taskRelated = (task: Task) => (task.projectId ? [{ type: "project", id: String(task.projectId) }] : []);

/**
 * Every mutation of the demo domain, each one tracked: the server actions call these, so does the seed.
 * One key per action, so a test can run them all and check that none leaves an unattributed change.
 */
export function createOperations(kit: Kit) {
  const { withTracking } = kit;
  const operations = {
    createTask: async (viewer: OperationViewer, input: CreateTaskInput): Promise<Result<Task>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "insert",
          (task: Task) => `task ${task.title}`,
          (tx) => createTask(tx, viewer.workspace.id, input),
          { related: taskRelated },
        ),
      ),

    updateTask: async (viewer: OperationViewer, input: UpdateTaskInput): Promise<Result<Task>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "update",
          (task: Task) => `task ${task.title}`,
          (tx) => updateTask(tx, viewer.workspace.id, input),
          { related: taskRelated },
        ),
      ),

    cancelTask: async (viewer: OperationViewer, input: CancelTaskInput): Promise<Result<Task>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "task.cancelled",
          (task: Task) => `task ${task.title}`,
          (tx) => cancelTask(tx, viewer.workspace.id, input.id),
          { metadata: { reason: input.reason }, related: taskRelated },
        ),
      ),

    deleteTask: async (viewer: OperationViewer, { id }: z.output<typeof idSchema>): Promise<Result<Task>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "delete",
          (task: Task) => `task ${task.title}`,
          (tx) => deleteTask(tx, viewer.workspace.id, id),
          { related: taskRelated },
        ),
      ),

    createComment: async (
      viewer: OperationViewer,
      input: z.output<typeof createCommentSchema>,
    ): Promise<Result<CommentOnTask>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "insert",
          (comment: CommentOnTask) => `comment on ${comment.taskTitle}`,
          (tx) => createComment(tx, viewer.workspace.id, viewer.user.id, input),
          { related: (comment: CommentOnTask) => [{ type: "task", id: String(comment.taskId) }] },
        ),
      ),

    deleteComment: async (viewer: OperationViewer, { id }: z.output<typeof idSchema>): Promise<Result<CommentOnTask>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "delete",
          (comment: CommentOnTask) => `comment on ${comment.taskTitle}`,
          (tx) =>
            deleteComment(
              tx,
              viewer.workspace.id,
              { userId: viewer.user.id, isAdmin: viewer.workspace.role === "admin" },
              id,
            ),
          { related: (comment: CommentOnTask) => [{ type: "task", id: String(comment.taskId) }] },
        ),
      ),

    createProject: async (viewer: OperationViewer, input: ProjectInput): Promise<Result<Project>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "insert",
          (project: Project) => `project ${project.name}`,
          (tx) => createProject(tx, viewer.workspace.id, input),
        ),
      ),

    updateProject: async (
      viewer: OperationViewer,
      { id, ...input }: z.output<typeof updateProjectSchema>,
    ): Promise<Result<Project>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "update",
          (project: Project) => `project ${project.name}`,
          (tx) => updateProject(tx, viewer.workspace.id, id, input),
        ),
      ),

    deleteProject: async (viewer: OperationViewer, { id }: z.output<typeof idSchema>): Promise<Result<Project>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "delete",
          (project: Project) => `project ${project.name}`,
          (tx) => deleteProject(tx, viewer.workspace.id, id),
        ),
      ),

    /**
     * Archives the project and cancels its open tasks, each cancellation an action of its own nested in
     * this one (its event names the archive as its parent), all in one transaction.
     */
    archiveProject: async (
      viewer: OperationViewer,
      { id }: z.output<typeof idSchema>,
    ): Promise<Result<Project & { cancelledTasks: number }>> =>
      ok(
        await withTracking(
          viewerActor(viewer),
          "project.archived",
          (project: Project) => `project ${project.name}`,
          async (tx) => {
            const project = await archiveProject(tx, viewer.workspace.id, id);
            const open = await openTaskIds(tx, viewer.workspace.id, id);
            for (const taskId of open) {
              await operations.cancelTask(viewer, { id: taskId, reason: `The project ${project.name} was archived.` });
            }
            return { ...project, cancelledTasks: open.length };
          },
        ),
      ),
  };
  return operations;
}

export type Operations = ReturnType<typeof createOperations>;
