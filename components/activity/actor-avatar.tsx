import type { ActivityItem } from "@/lib/activity";
import { initials } from "@/lib/activity-client/describe";
import { cn } from "@/lib/utils";

const TONES = [
  "bg-sky-100 text-sky-800",
  "bg-emerald-100 text-emerald-800",
  "bg-amber-100 text-amber-800",
  "bg-rose-100 text-rose-800",
  "bg-violet-100 text-violet-800",
  "bg-teal-100 text-teal-800",
  "bg-orange-100 text-orange-800",
  "bg-indigo-100 text-indigo-800",
];

/** The same person gets the same colour on every line. */
function toneOf(key: string): string {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return TONES[Math.abs(hash) % TONES.length]!;
}

/** Initials in a circle for people; a grey square for the system, jobs, API keys and the database. */
export function ActorAvatar({ actor, className }: { actor: ActivityItem["actor"]; className?: string }) {
  const person = actor.type === "user";
  return (
    <span
      aria-hidden="true"
      className={cn(
        "flex size-8 shrink-0 items-center justify-center text-xs font-semibold select-none",
        person ? ["rounded-full", toneOf(actor.id ?? actor.name)] : "rounded-md bg-neutral-200 text-neutral-600",
        className,
      )}
    >
      {initials(actor.name)}
    </span>
  );
}
