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
 * The time picker of a record's history. The input speaks the reader's local time; the URL carries the
 * instant (`?at=` in UTC), so the server and a shared link agree on it. Without script the form sends the
 * local value as it is, which the server reads as UTC.
 */
export function TimeTravelForm({ at }: { at: string | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  const input = useRef<HTMLInputElement>(null);

  // The local value is known only in the browser: set it after hydration.
  useEffect(() => {
    if (input.current && at) input.current.value = toLocalInput(at);
  }, [at]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = input.current?.value;
    const next = new URLSearchParams(searchParams);
    if (value && !Number.isNaN(new Date(value).getTime())) next.set("at", new Date(value).toISOString());
    else next.delete("at");
    startTransition(() => router.push(`${pathname}?${next}`));
  };

  return (
    <form method="get" onSubmit={onSubmit} aria-label="Time travel" className="flex flex-wrap items-end gap-2">
      {searchParams.get("order") ? <input type="hidden" name="order" value={searchParams.get("order")!} /> : null}
      <div className="space-y-1.5">
        <Label htmlFor="time-travel-at">State at</Label>
        <Input ref={input} id="time-travel-at" name="at" type="datetime-local" step={1} className="w-60" />
      </div>
      <Button type="submit" variant="outline" disabled={pending}>
        Show
      </Button>
    </form>
  );
}
