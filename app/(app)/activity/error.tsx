"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/** The server could not render the feed (the database was unreachable, say): say so, offer a retry. */
export default function ActivityError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Activity</h1>
      <Card className="flex flex-col items-center px-6 py-12 text-center">
        <h2 className="text-base font-semibold">The activity feed could not be loaded</h2>
        <p className="mt-1 text-sm text-muted-foreground">Something went wrong on our side. Try again in a moment.</p>
        <Button
          type="button"
          variant="outline"
          size="sm"
          className="mt-5"
          disabled={pending}
          onClick={() =>
            startTransition(() => {
              router.refresh();
              reset();
            })
          }
        >
          Retry
        </Button>
      </Card>
    </div>
  );
}
