import { cn } from "@/lib/utils";

/** Placeholder lines as tall as a one-line event, so nothing jumps when the real ones arrive. */
export function SkeletonLines({ count = 3, className }: { count?: number; className?: string }) {
  return (
    <div
      aria-hidden="true"
      className={cn("divide-y divide-border rounded-lg border border-border bg-card", className)}
    >
      {Array.from({ length: count }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <div key={i} className="flex h-[3.75rem] items-center gap-3 px-4">
          <div className="size-8 shrink-0 animate-pulse rounded-full bg-neutral-100" />
          <div
            className="h-3 flex-1 animate-pulse rounded bg-neutral-100"
            style={{ maxWidth: `${55 + ((i * 17) % 35)}%` }}
          />
          <div className="ml-auto h-3 w-14 animate-pulse rounded bg-neutral-100" />
        </div>
      ))}
    </div>
  );
}

/** The whole feed while the page's first data loads: a day heading and a handful of lines. */
export function FeedSkeleton() {
  return (
    <div role="status" aria-label="Loading activity">
      <div className="mb-2 ml-1 h-3 w-16 animate-pulse rounded bg-neutral-200" />
      <SkeletonLines count={8} />
    </div>
  );
}
