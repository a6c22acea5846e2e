import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { githubEnabled, signIn } from "@/lib/auth";
import { getViewerState } from "@/lib/auth/viewer";
import { getDb } from "@/lib/db";
import { DEMO_PASSWORD } from "@/lib/db/demo-accounts";
import { presentDemoAccounts } from "@/lib/demo/accounts";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in · activity-kit" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if ((await getViewerState()).status !== "signed-out") redirect("/tasks");
  const { callbackUrl } = await searchParams;
  const demo = await presentDemoAccounts(await getDb());
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 px-4 py-12">
      <div>
        <h1 className="text-2xl font-semibold">Sign in</h1>
        <p className="text-sm text-muted-foreground">to activity-kit</p>
      </div>
      <Card>
        <LoginForm callbackUrl={typeof callbackUrl === "string" ? callbackUrl : undefined} />
        {githubEnabled ? (
          <form
            className="mt-3"
            action={async () => {
              "use server";
              await signIn("github", { redirectTo: "/tasks" });
            }}
          >
            <button type="submit" className="w-full rounded-md border border-border py-2 text-sm hover:bg-muted">
              Sign in with GitHub
            </button>
          </form>
        ) : null}
      </Card>
      {demo.length > 0 ? (
        <section aria-labelledby="demo-accounts" className="rounded-lg bg-muted p-4 text-sm">
          <h2 id="demo-accounts" className="font-medium">
            Demo accounts
          </h2>
          <p className="mb-2 text-muted-foreground">
            Password for all: <code>{DEMO_PASSWORD}</code>
          </p>
          <ul className="space-y-1">
            {demo.map((a) => (
              <li key={a.email}>
                <code>{a.email}</code> — {a.role} of {a.workspace}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
