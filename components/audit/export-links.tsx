import { buttonVariants } from "@/components/ui/button";
import { type FeedFilters, feedSearch } from "@/lib/activity-client/feed-query";

const FORMATS = [
  { format: "csv", label: "CSV" },
  { format: "json", label: "JSON" },
  { format: "ndjson", label: "NDJSON" },
] as const;

/** Downloads of the filtered log (every page, streamed by `GET /api/audit/export`). */
export function ExportLinks({ filters }: { filters: FeedFilters }) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <span className="text-sm text-muted-foreground">Export:</span>
      {FORMATS.map(({ format, label }) => (
        <a
          key={format}
          href={`/api/audit/export?${feedSearch(filters, { format })}`}
          download
          className={buttonVariants({ variant: "outline", size: "sm" })}
        >
          {label}
        </a>
      ))}
    </div>
  );
}
