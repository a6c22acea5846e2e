"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/** A route's error boundary body: the server could not render it (the database was unreachable, say). */
export function LoadError({ title, reset }: { title: string; reset: () => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Card className="flex flex-col items-center px-6 py-12 text-center">
      <h2 className="text-base font-semibold">{title}</h2>
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
