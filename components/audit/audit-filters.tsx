import Link from "next/link";
import { FieldLabel as Label, NativeSelect as Select } from "@/components/activity/form-controls";
import { Button, buttonVariants } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { actionLabel } from "@/lib/activity-client/describe";
import type { AuditFilterKey, FeedSearchFilters } from "@/lib/activity-client/feed-query";

/**
 * The audit log's filters: a plain GET form to the page, so they live in the URL (Back, reload and shared
 * links keep them) and work without script. Blank fields are ignored by the page and the API.
 */
export function AuditFilters({
  filters,
  members,
  actions,
  types,
  invalid,
  auditPath = "/audit",
  recordPlaceholder = "type:id",
}: {
  filters: FeedSearchFilters;
  members: { id: string; name: string }[];
  actions: readonly string[];
  types: readonly string[];
  /** The filter the server refused, and the id of the element that says why. */
  invalid?: { parameter: AuditFilterKey; describedBy: string };
  /** The audit log page (the form's GET target). */
  auditPath?: string;
  /** An example record key for the Record field, in the host's own terms (`note:42`). */
  recordPlaceholder?: string;
}) {
  const fieldProps = (key: AuditFilterKey) => ({
    id: `audit-${key}`,
    name: key,
    defaultValue: filters[key] ?? "",
    ...(invalid?.parameter === key ? { "aria-invalid": true, "aria-describedby": invalid.describedBy } : {}),
  });
  return (
    <form method="get" action={auditPath} aria-label="Filters" className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6">
      <div className="space-y-1.5">
        <Label htmlFor="audit-actor">Actor</Label>
        <Select {...fieldProps("actor")}>
          <option value="">All actors</option>
          {members.map((member) => (
            <option key={member.id} value={member.id}>
              {member.name}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="audit-action">Action</Label>
        <Select {...fieldProps("action")}>
          <option value="">All actions</option>
          {actions.map((action) => (
            <option key={action} value={action}>
              {actionLabel(action)}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="audit-type">Record type</Label>
        <Select {...fieldProps("type")}>
          <option value="">All types</option>
          {types.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="audit-record">Record</Label>
        <Input placeholder={recordPlaceholder} autoComplete="off" spellCheck={false} {...fieldProps("record")} />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="audit-from">From</Label>
        <Input type="date" {...fieldProps("from")} />
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="audit-to">To</Label>
        <Input type="date" {...fieldProps("to")} />
      </div>
      <div className="flex gap-2 sm:col-span-3 lg:col-span-6">
        <Button type="submit">Apply</Button>
        <Link href={auditPath} className={buttonVariants({ variant: "ghost" })}>
          Clear filters
        </Link>
      </div>
    </form>
  );
}
