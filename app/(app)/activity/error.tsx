"use client";

import { LoadError } from "@/components/load-error";

export default function ActivityError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Activity</h1>
      <LoadError title="The activity feed could not be loaded" reset={reset} />
    </div>
  );
}
