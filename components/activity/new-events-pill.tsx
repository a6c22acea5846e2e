/** Floats over the feed while events that arrived during reading wait above it; a click shows them. */
export function NewEventsPill({ count, onReveal }: { count: number; onReveal: () => void }) {
  return (
    <div
      aria-live="polite"
      data-print="hide"
      className="pointer-events-none fixed inset-x-0 top-4 z-30 flex justify-center"
    >
      {count > 0 ? (
        <button
          type="button"
          onClick={onReveal}
          className="pointer-events-auto inline-flex items-center gap-1.5 rounded-full bg-primary py-2 pr-4 pl-3 text-sm font-medium text-primary-foreground shadow-lg ring-1 ring-black/5 transition-colors hover:bg-primary/90 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-neutral-600 focus-visible:ring-offset-2"
        >
          <svg
            viewBox="0 0 24 24"
            className="size-4"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            aria-hidden="true"
          >
            <path d="M12 19V5m-6 6 6-6 6 6" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          {`${count} new event${count === 1 ? "" : "s"}`}
        </button>
      ) : null}
    </div>
  );
}
