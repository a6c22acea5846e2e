import Link from "next/link";
import type { ReactNode } from "react";
import { signOutAction } from "@/app/login/actions";
import { ActivityQueryProvider } from "@/components/activity/activity-query-provider";
import { NavLink } from "@/components/nav-link";
import { Button } from "@/components/ui/button";
import { WorkspaceSwitcher } from "@/components/workspace-switcher";
import { isAdmin, requireViewer } from "@/lib/auth/viewer";
import { switchWorkspaceAction } from "./workspace-actions";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const viewer = await requireViewer();
  return (
    <div className="min-h-screen bg-neutral-50">
      <a
        href="#content"
        className="sr-only rounded-md bg-card px-3 py-2 text-sm font-medium focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:ring-2 focus:ring-neutral-600"
      >
        Skip to content
      </a>
      <header className="border-b border-border bg-card">
        <div className="mx-auto flex min-h-14 max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2">
          <Link href="/tasks" className="font-semibold">
            activity-kit
          </Link>
          <WorkspaceSwitcher
            action={switchWorkspaceAction}
            current={viewer.workspace.id}
            workspaces={viewer.memberships}
          />
          <nav
            aria-label="Main"
            className="order-last flex w-full gap-1 overflow-x-auto text-sm sm:order-none sm:w-auto"
          >
            <NavLink href="/tasks">Tasks</NavLink>
            <NavLink href="/projects">Projects</NavLink>
            <NavLink href="/activity">Activity</NavLink>
            {isAdmin(viewer) ? <NavLink href="/admin">Admin</NavLink> : null}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="hidden text-muted-foreground sm:inline">
              {viewer.user.name} · {viewer.workspace.role}
            </span>
            <form action={signOutAction}>
              <Button variant="outline" size="sm">
                Sign out
              </Button>
            </form>
          </div>
        </div>
      </header>
      <main id="content" tabIndex={-1} className="mx-auto max-w-5xl px-4 py-8 outline-none">
        <ActivityQueryProvider>{children}</ActivityQueryProvider>
      </main>
    </div>
  );
}
