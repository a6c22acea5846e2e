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

/** The feed page without its filters (at `href`, the feed page's path). */
export function ClearFiltersLink({ href = "/activity" }: { href?: string }) {
  return (
    <Link href={href} className={buttonVariants({ variant: "outline", size: "sm" })}>
      Clear filters
    </Link>
  );
}

/** What an empty feed says, in the host's own terms (what to create, and where). */
export interface EmptyFeedText {
  title?: string;
  text?: string;
  /** A link to where events come from (the host's records page). */
  action?: { href: string; label: string };
}

/** No events: the workspace is new, or the filters leave nothing. */
export function EmptyFeed({
  filtered,
  feedPath = "/activity",
  empty = {},
}: {
  filtered: boolean;
  /** The feed page, for "Clear filters". */
  feedPath?: string;
  empty?: EmptyFeedText;
}) {
  if (filtered) {
    return (
      <StateCard title="Nothing matches these filters." action={<ClearFiltersLink href={feedPath} />}>
        Try another user or action, or clear the filters to see everything.
      </StateCard>
    );
  }
  return (
    <StateCard
      title={empty.title ?? "No activity yet"}
      action={
        empty.action ? (
          <Link href={empty.action.href} className={buttonVariants({ variant: "outline", size: "sm" })}>
            {empty.action.label}
          </Link>
        ) : undefined
      }
    >
      {empty.text ?? "Changes show up here as they happen."}
    </StateCard>
  );
}

/** A filter in the URL the feed refuses (a malformed record, an unknown action): say which, offer a way out. */
export function FilterError({
  message,
  id,
  feedPath = "/activity",
}: {
  message: string;
  id: string;
  feedPath?: string;
}) {
  return (
    <StateCard title="That filter doesn’t work" action={<ClearFiltersLink href={feedPath} />}>
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
