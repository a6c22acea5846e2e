import type { LiveStatus } from "./use-live-feed";

/** Says nothing while the stream is live; a quiet note while the browser reconnects. */
export function LiveStatusNote({ status }: { status: LiveStatus }) {
  return (
    <div role="status" className="pointer-events-none fixed bottom-4 left-4 z-30">
      {status === "reconnecting" ? (
        <span className="inline-flex items-center gap-2 rounded-full border border-border bg-card px-3 py-1.5 text-xs text-muted-foreground shadow-sm">
          <span className="size-1.5 animate-pulse rounded-full bg-amber-500" aria-hidden="true" />
          Reconnecting…
        </span>
      ) : null}
    </div>
  );
}
