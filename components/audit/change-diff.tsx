import type { RowChange } from "@/lib/activity";
import { ErasedValue } from "@/components/activity/erased-value";
import { changePointer } from "@/lib/activity-client/describe";
import { diffLines, fieldDiffs, formatValue, groupByRecord, isLongText } from "@/lib/activity-client/diff";
import type { Json } from "@/lib/activity/types";
import { cn } from "@/lib/utils";

const OPS = { insert: "created", update: "updated", delete: "deleted" } as const;

function Value({
  value,
  tone,
  erased = false,
}: {
  value: Json | undefined;
  tone: "removed" | "added" | "plain";
  erased?: boolean;
}) {
  if (erased) return <ErasedValue className="px-1" />;
  if (value === undefined) return <span className="text-muted-foreground">—</span>;
  const text = formatValue(value);
  return (
    <span
      className={cn(
        "rounded px-1 py-0.5 break-words whitespace-pre-wrap",
        tone === "removed" && "bg-red-50 text-red-900 line-through decoration-red-300",
        tone === "added" && "bg-emerald-50 text-emerald-900",
        text === "empty" && typeof value !== "string" && "text-muted-foreground italic",
      )}
    >
      {text}
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

/** `erased(column, side)`: whether erasure removed that value (side 0 before, 1 after; an insert's or delete's row is one). */
function ChangeTable({ change, erased }: { change: RowChange; erased: (column: string, side: 0 | 1) => boolean }) {
  const fields = fieldDiffs(change);
  if (fields.length === 0) return <p className="text-xs text-muted-foreground">No field changed.</p>;
  return (
    <table className="w-full table-fixed text-sm">
      <thead className="text-left text-xs text-muted-foreground">
        <tr>
          <th scope="col" className="w-36 py-1 pr-3 font-medium">
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
        {fields.map(({ field, before, after }) => (
          <tr key={field}>
            <th scope="row" className="py-1.5 pr-3 text-left align-top font-mono text-xs font-normal text-neutral-600">
              {field}
            </th>
            {change.op === "update" && (isLongText(before) || isLongText(after)) ? (
              <td colSpan={2} className="py-1.5">
                <LineDiff
                  before={typeof before === "string" ? before : formatValue(before)}
                  after={String(after ?? "")}
                />
              </td>
            ) : (
              <>
                <td className="py-1.5 pr-3 align-top">
                  <Value
                    value={before}
                    tone={change.op === "insert" ? "plain" : "removed"}
                    erased={change.op !== "insert" && erased(field, 0)}
                  />
                </td>
                <td className="py-1.5 align-top">
                  <Value
                    value={after}
                    tone={change.op === "delete" ? "plain" : "added"}
                    erased={change.op !== "delete" && erased(field, 1)}
                  />
                </td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Everything an event changed, grouped by record (a cascade touches several): each field before and after. */
export function ChangeDiff({ changes, erased = [] }: { changes: RowChange[]; erased?: string[] }) {
  // An insert's or a delete's row holds one value per column; an update's diff a before and an after.
  const isErasedAt = (change: RowChange) => (column: string, side: 0 | 1) => {
    const index = changes.indexOf(change);
    return erased.includes(
      change.op === "update" ? changePointer(index, "changes", column, side) : changePointer(index, "row", column),
    );
  };
  if (changes.length === 0) return null;
  return (
    <div className="space-y-3">
      {groupByRecord(changes).map(({ record, changes: own }) => (
        <section key={`${record.type}:${record.id}`} aria-label={`Changes to ${record.type} ${record.id}`}>
          {own.map((change, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a record's changes in one event keep their order
            <div key={i} className="mt-1">
              <h4 className="mb-1 text-xs font-medium text-muted-foreground">
                {record.type}:{record.id} {OPS[change.op]}
              </h4>
              <ChangeTable change={change} erased={isErasedAt(change)} />
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}
