"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/** The server could not render the audit log or a record's history: say so, offer a retry. */
export default function AuditError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Card className="flex flex-col items-center px-6 py-12 text-center">
      <h1 className="text-base font-semibold">The audit log could not be loaded</h1>
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
  );
}
