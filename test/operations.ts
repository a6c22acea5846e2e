import type { OperationViewer } from "@/lib/demo/operations";
import type { Result } from "@/lib/result";

/** A workspace's admin as the demo's operations see them. */
export function adminViewer(workspace: { id: number }, user: { id: number; name: string }): OperationViewer {
  return { user: { id: user.id, name: user.name }, workspace: { id: workspace.id, role: "admin" } };
}

/** An operation's data, or the test fails with the refusal it got. */
export function data<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.data;
}
