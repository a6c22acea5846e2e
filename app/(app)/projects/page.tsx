import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { listProjects } from "@/lib/demo/projects";
import { ProjectForm } from "./project-form";

export const metadata: Metadata = { title: "Projects · activity-kit" };

export default async function ProjectsPage() {
  const viewer = await requireViewer();
  const projectRows = await listProjects(await getDb(), viewer.workspace.id);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Projects</h1>
      {projectRows.length === 0 ? (
        <Card className="text-center text-muted-foreground">No projects yet. Add one below.</Card>
      ) : (
        <Card className="p-0">
          <ul aria-label="Projects" className="divide-y divide-border">
            {projectRows.map((p) => (
              <li key={p.id} className="px-5 py-3">
                <Link href={`/projects/${p.id}`} className="font-medium hover:underline">
                  {p.name}
                </Link>
                <span className="ml-3 text-sm text-muted-foreground">
                  {p.openTasks} open {p.openTasks === 1 ? "task" : "tasks"}
                </span>
                {p.description ? <p className="text-sm text-muted-foreground">{p.description}</p> : null}
              </li>
            ))}
          </ul>
        </Card>
      )}
      <Card aria-label="New project">
        <h2 className="mb-3 font-medium">New project</h2>
        <ProjectForm />
      </Card>
    </div>
  );
}
