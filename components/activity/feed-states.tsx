import Link from "next/link";
import type { ReactNode } from "react";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

function StateCard({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Card className="flex flex-col items-center px-6 py-12 text-center">
      <h2 className="text-base font-semibold">{title}</h2>
      <div className="mt-1 max-w-md text-sm text-muted-foreground">{children}</div>
      {action ? <div className="mt-5 flex gap-2">{action}</div> : null}
    </Card>
  );
}

export function ClearFiltersLink() {
  return (
    <Link href="/activity" className={buttonVariants({ variant: "outline", size: "sm" })}>
      Clear filters
    </Link>
  );
}

/** No events: the workspace is new, or the filters leave nothing. */
export function EmptyFeed({ filtered }: { filtered: boolean }) {
  if (filtered) {
    return (
      <StateCard title="Nothing matches these filters." action={<ClearFiltersLink />}>
        Try another user or action, or clear the filters to see everything.
      </StateCard>
    );
  }
  return (
    <StateCard
      title="No activity yet"
      action={
        <Link href="/tasks" className={buttonVariants({ variant: "outline", size: "sm" })}>
          Go to tasks
        </Link>
      }
    >
      Create or edit a task and it shows up here, as it happens.
    </StateCard>
  );
}

/** A filter in the URL the feed refuses (a malformed record, an unknown action): say which, offer a way out. */
export function FilterError({ message, id }: { message: string; id: string }) {
  return (
    <StateCard title="That filter doesn’t work" action={<ClearFiltersLink />}>
      <p id={id}>{message}</p>
    </StateCard>
  );
}

/** The feed could not be loaded (rendered by the client feed, which passes its refetch). */
export function FeedError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <StateCard
      title="The activity feed could not be loaded"
      action={
        <Button type="button" variant="outline" size="sm" onClick={onRetry}>
          Retry
        </Button>
      }
    >
      {message}
    </StateCard>
  );
}
