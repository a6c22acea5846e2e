import { redirect } from "next/navigation";
import { signOutAction } from "@/app/login/actions";
import { Button } from "@/components/ui/button";
import { getViewerState } from "@/lib/auth/viewer";

export default async function NoWorkspacePage() {
  const state = await getViewerState();
  if (state.status === "signed-out") redirect("/login");
  if (state.status === "ok") redirect("/tasks");
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold">No workspace yet</h1>
      <p className="mt-2 text-muted-foreground">
        You are signed in as {state.user.email}, but no workspace has added you. Ask an admin to invite you.
      </p>
      <form action={signOutAction} className="mt-6">
        <Button variant="outline">Sign out</Button>
      </form>
    </main>
  );
}
