"use client";

import { LoadError } from "@/components/load-error";

export default function AuditError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <LoadError title="The audit log could not be loaded" reset={reset} />
    </div>
  );
}
