import type { RecordState } from "@/lib/activity";
import { formatValue } from "@/lib/activity-client/diff";
import { AuditTime } from "./audit-time";

/** A record as it stood at an instant: its fields, or that it was not there. */
export function RecordStateView({ state, at }: { state: RecordState; at: Date }) {
  return (
    <div role="status" aria-label="State at that time">
      <p className="text-sm text-muted-foreground">
        At <AuditTime iso={at.toISOString()} className="font-medium text-neutral-900" />:
      </p>
      {state.status === "not_yet" ? (
        <p className="mt-2 text-sm font-medium">It did not exist yet.</p>
      ) : state.status === "deleted" ? (
        <p className="mt-2 text-sm font-medium">
          It was deleted (on <AuditTime iso={state.deletedAt.toISOString()} />
          ).
        </p>
      ) : (
        <table className="mt-2 w-full table-fixed text-sm">
          <tbody className="divide-y divide-border/60">
            {Object.entries(state.row).map(([field, value]) => (
              <tr key={field}>
                <th scope="row" className="w-40 py-1 pr-3 text-left font-mono text-xs font-normal text-neutral-600">
                  {field}
                </th>
                <td className="py-1 break-words whitespace-pre-wrap">{formatValue(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
