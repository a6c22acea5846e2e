"use client";

import { useRef } from "react";

export function WorkspaceSwitcher({
  action,
  current,
  workspaces,
}: {
  action: (formData: FormData) => Promise<void>;
  current: number;
  workspaces: { id: number; name: string; role: string }[];
}) {
  const form = useRef<HTMLFormElement>(null);
  if (workspaces.length < 2) {
    return <span className="text-sm font-medium">{workspaces[0]?.name}</span>;
  }
  return (
    <form ref={form} action={action}>
      <label className="sr-only" htmlFor="workspace-switcher">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        name="workspaceId"
        defaultValue={current}
        onChange={() => form.current?.requestSubmit()}
        className="h-8 rounded-md border border-border bg-white px-2 text-sm"
      >
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit">Switch</button>
      </noscript>
    </form>
  );
}
