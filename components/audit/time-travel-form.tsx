"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useEffect, useRef, useTransition } from "react";
import { FieldLabel as Label } from "@/components/activity/form-controls";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";

/** `2026-11-23T14:05:09` in the browser's zone: what a datetime-local input holds. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}`;
}

/**
 * The time picker of a record's history: the instant to show, and optionally a second one to compare it
 * with (else it is compared with the present). The inputs speak the reader's local time; the URL carries
 * the instants (`?at=` and `?compare=`, in UTC), so the server and a shared link agree on them. Without
 * script the form sends the local values as they are, which the server reads as UTC.
 */
export function TimeTravelForm({ at, compare }: { at: string | null; compare?: string | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  const input = useRef<HTMLInputElement>(null);
  const second = useRef<HTMLInputElement>(null);

  // The local values are known only in the browser: set them after hydration.
  useEffect(() => {
    if (input.current && at) input.current.value = toLocalInput(at);
    if (second.current && compare) second.current.value = toLocalInput(compare);
  }, [at, compare]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = new URLSearchParams(searchParams);
    for (const [name, ref] of [
      ["at", input],
      ["compare", second],
    ] as const) {
      const value = ref.current?.value;
      if (value && !Number.isNaN(new Date(value).getTime())) next.set(name, new Date(value).toISOString());
      else next.delete(name);
    }
    if (!next.has("at")) next.delete("compare");
    const query = next.toString();
    startTransition(() => router.push(query ? `${pathname}?${query}` : pathname));
  };

  const present = new URLSearchParams(searchParams);
  present.delete("at");
  present.delete("compare");

  return (
    <form method="get" onSubmit={onSubmit} aria-label="Time travel" className="flex flex-wrap items-end gap-2">
      {searchParams.get("order") ? <input type="hidden" name="order" value={searchParams.get("order")!} /> : null}
      <div className="space-y-1.5">
        <Label htmlFor="time-travel-at">State at</Label>
        <Input ref={input} id="time-travel-at" name="at" type="datetime-local" step={1} className="w-60" />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="time-travel-compare">Compare with (optional)</Label>
        <Input ref={second} id="time-travel-compare" name="compare" type="datetime-local" step={1} className="w-60" />
      </div>
      <Button type="submit" variant="outline" disabled={pending}>
        Show
      </Button>
      {at ? (
        <a
          href={present.size > 0 ? `${pathname}?${present}` : pathname}
          className="inline-flex min-h-9 items-center px-2 text-sm underline underline-offset-2"
        >
          Back to present
        </a>
      ) : null}
    </form>
  );
}
