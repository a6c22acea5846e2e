import type { ReadableChange, ReadableField } from "@/lib/activity";
import { diffLines, groupByRecord } from "@/lib/activity-client/diff";
import { cn } from "@/lib/utils";

const OPS = { insert: "created", update: "updated", delete: "deleted" } as const;

/** Text worth a line diff rather than two values side by side. */
const isLong = (value: string | undefined) => value !== undefined && (value.includes("\n") || value.length > 80);

function Value({ value, tone }: { value: string | undefined; tone: "removed" | "added" | "plain" }) {
  if (value === undefined) return <span className="text-muted-foreground">—</span>;
  return (
    <span
      className={cn(
        "rounded px-1 py-0.5 break-words whitespace-pre-wrap",
        tone === "removed" && "bg-red-50 text-red-900 line-through decoration-red-300",
        tone === "added" && "bg-emerald-50 text-emerald-900",
        (value === "none" || value === "empty") && "text-muted-foreground italic",
      )}
    >
      {value}
    </span>
  );
}

/** Long text changed: a readable line diff instead of two walls of text. */
function LineDiff({ before, after }: { before: string; after: string }) {
  return (
    <pre className="overflow-x-auto rounded-md border border-border bg-neutral-50 py-1 text-xs leading-5">
      {diffLines(before, after).map((line, i) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their place
          key={i}
          className={cn(
            "px-2 whitespace-pre-wrap",
            line.kind === "added" && "bg-emerald-50 text-emerald-900",
            line.kind === "removed" && "bg-red-50 text-red-900",
          )}
        >
          <span aria-hidden="true" className="mr-2 select-none text-muted-foreground">
            {line.kind === "added" ? "+" : line.kind === "removed" ? "−" : " "}
          </span>
          <span className="sr-only">{line.kind === "same" ? "" : `${line.kind}: `}</span>
          {line.text || " "}
        </div>
      ))}
    </pre>
  );
}

function ChangeTable({ op, fields }: { op: ReadableChange["op"]; fields: ReadableField[] }) {
  if (fields.length === 0) return <p className="text-xs text-muted-foreground">No field changed.</p>;
  return (
    <table className="w-full table-fixed text-sm">
      <thead className="text-left text-xs text-muted-foreground">
        <tr>
          <th scope="col" className="w-24 py-1 pr-3 font-medium sm:w-36">
            Field
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Before
          </th>
          <th scope="col" className="py-1 font-medium">
            After
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-border/60">
        {fields.map(({ field, label, before, after }) => (
          <tr key={field}>
            <th scope="row" className="py-1.5 pr-3 text-left align-top text-xs font-normal text-neutral-600">
              {label}
            </th>
            {op === "update" && (isLong(before) || isLong(after)) ? (
              <td colSpan={2} className="py-1.5">
                <LineDiff before={before ?? ""} after={after ?? ""} />
              </td>
            ) : (
              <>
                <td className="py-1.5 pr-3 align-top">
                  <Value value={before} tone={op === "insert" ? "plain" : "removed"} />
                </td>
                <td className="py-1.5 align-top">
                  <Value value={after} tone={op === "delete" ? "plain" : "added"} />
                </td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Everything an event changed, grouped by record (a cascade touches several), as people read it: field
 * names and values from the registrations, referenced records by name.
 */
export function ChangeDiff({ changes }: { changes: ReadableChange[] }) {
  if (changes.length === 0) return null;
  return (
    <div className="space-y-3">
      {groupByRecord(changes).map(({ record, changes: own }) => {
        const name = `${record.type} ${own[0]?.label ?? record.id}`;
        return (
          // Not a region: a page of events would hold many landmarks of the same name.
          <div key={`${record.type}:${record.id}`}>
            {own.map((change, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a record's changes in one event keep their order
              <div key={i} className="mt-1">
                <h4 className="mb-1 text-xs font-medium text-muted-foreground">
                  {name} {OPS[change.op]}
                </h4>
                <ChangeTable op={change.op} fields={change.fields} />
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}
