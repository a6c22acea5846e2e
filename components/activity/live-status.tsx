import Link from "next/link";
import type { LiveStatus } from "./use-live-feed";

/** Says nothing while the stream is live; a quiet note while the browser reconnects. */
export function LiveStatusNote({ status, signInPath = "/login" }: { status: LiveStatus; signInPath?: string }) {
  return (
    <div role="status" data-print="hide" className="pointer-events-none fixed bottom-4 left-4 z-30">
      {status === "ended" ? (
        <span className="pointer-events-auto inline-flex items-center gap-2 rounded-full border border-border bg-card px-3 py-1.5 text-xs shadow-sm">
          Your session ended: live updates stopped.{" "}
          <Link href={signInPath} prefetch={false} className="font-medium underline underline-offset-2">
            Sign in again
          </Link>
        </span>
      ) : status === "reconnecting" ? (
        <span className="inline-flex items-center gap-2 rounded-full border border-border bg-card px-3 py-1.5 text-xs text-muted-foreground shadow-sm">
          <span className="size-1.5 animate-pulse rounded-full bg-amber-500" aria-hidden="true" />
          Reconnecting…
        </span>
      ) : null}
    </div>
  );
}
