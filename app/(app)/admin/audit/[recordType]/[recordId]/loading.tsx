export default function RecordHistoryLoading() {
  return (
    <div className="space-y-6" aria-busy="true">
      <div className="h-12 w-2/3 animate-pulse rounded bg-neutral-100" />
      <div className="h-24 animate-pulse rounded-lg bg-neutral-100" />
      <div className="space-y-3">
        {[0, 1, 2].map((i) => (
          <div key={i} className="h-28 animate-pulse rounded-lg bg-neutral-100" />
        ))}
      </div>
    </div>
  );
}
