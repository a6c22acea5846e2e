import { buttonVariants } from "@/components/ui/button";
import { type FeedSearchFilters, feedSearch } from "@/lib/activity-client/feed-query";

const FORMATS = [
  { format: "csv", label: "CSV" },
  { format: "json", label: "JSON" },
  { format: "ndjson", label: "NDJSON" },
] as const;

/** Downloads of the filtered log (every page, streamed by the export route, `GET /api/audit/export` by default). */
export function ExportLinks({
  filters,
  exportPath = "/api/audit/export",
}: {
  filters: FeedSearchFilters;
  /** The export route. */
  exportPath?: string;
}) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <span className="text-sm text-muted-foreground">Export:</span>
      {FORMATS.map(({ format, label }) => (
        <a
          key={format}
          href={`${exportPath}?${feedSearch(filters, { format })}`}
          download
          className={buttonVariants({ variant: "outline", size: "sm" })}
        >
          {label}
        </a>
      ))}
    </div>
  );
}
