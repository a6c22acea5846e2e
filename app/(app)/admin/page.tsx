import { eq } from "drizzle-orm";
import type { Metadata } from "next";
import Link from "next/link";
import { NotAllowed } from "@/components/not-allowed";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { isAdmin, requireViewer } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { memberships, users } from "@/lib/db/schema";

export const metadata: Metadata = { title: "Admin · activity-kit" };

export default async function AdminPage() {
  const viewer = await requireViewer();
  if (!isAdmin(viewer)) return <NotAllowed what="The admin area" />;
  const db = await getDb();
  const members = await db
    .select({ id: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, viewer.workspace.id))
    .orderBy(users.name);
  return (
    <div className="space-y-6">
      <div className="flex items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold">Admin</h1>
        <Link href="/admin/audit" className={buttonVariants({ variant: "outline", size: "sm" })}>
          Audit log
        </Link>
      </div>
      <Card className="p-0">
        <table className="w-full text-sm">
          <caption className="px-5 pt-4 text-left font-medium">Members of {viewer.workspace.name}</caption>
          <thead className="text-left text-muted-foreground">
            <tr>
              <th className="px-5 py-2 font-normal">Name</th>
              <th className="px-5 py-2 font-normal">Email</th>
              <th className="px-5 py-2 font-normal">Role</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {members.map((m) => (
              <tr key={m.id}>
                <td className="px-5 py-2">{m.name}</td>
                <td className="px-5 py-2">{m.email}</td>
                <td className="px-5 py-2">{m.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
