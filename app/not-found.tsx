import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-muted-foreground">
        This page does not exist, or it belongs to a workspace you are not looking at.
      </p>
      <Link href="/tasks" className="mt-6 inline-block text-sm underline">
        Back to tasks
      </Link>
    </main>
  );
}
