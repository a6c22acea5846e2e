"use client";

import { useRef } from "react";
import type { ActionState } from "@/lib/actions";
import { useFormAction } from "./use-form-action";

export function WorkspaceSwitcher({
  action,
  current,
  workspaces,
}: {
  action: (state: ActionState<unknown>, formData: FormData) => Promise<ActionState<unknown>>;
  current: number;
  workspaces: { id: number; name: string; role: string }[];
}) {
  const form = useRef<HTMLFormElement>(null);
  const { state, formProps } = useFormAction(action, null);
  if (workspaces.length < 2) {
    return <span className="text-sm font-medium">{workspaces[0]?.name}</span>;
  }
  return (
    <form ref={form} {...formProps}>
      <label className="sr-only" htmlFor="workspace-switcher">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        name="workspaceId"
        defaultValue={current}
        onChange={() => form.current?.requestSubmit()}
        className="h-8 rounded-md border border-border bg-card px-2 text-sm"
      >
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
      {state && !state.ok ? (
        <span role="status" className="ml-2 text-sm text-destructive">
          {state.error.message}
        </span>
      ) : null}
      <noscript>
        <button type="submit">Switch</button>
      </noscript>
    </form>
  );
}
