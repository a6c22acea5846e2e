export default function AuditLoading() {
  return (
    <div className="space-y-6" aria-busy="true">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <div className="h-24 animate-pulse rounded-lg bg-neutral-100" />
      <div className="space-y-2">
        {[0, 1, 2, 3, 4, 5].map((i) => (
          <div key={i} className="h-9 animate-pulse rounded bg-neutral-100" />
        ))}
      </div>
    </div>
  );
}
