import type { ReadableStateField, RecordState } from "@/lib/activity";
import { AuditTime } from "./audit-time";

/** A record at one instant, as the kit's `statesAt` gives it: its state and, where it existed, its fields. */
export interface StateAt {
  /** The instant, or null for the present. */
  at: Date | null;
  state: RecordState;
  fields: ReadableStateField[] | null;
}

function Heading({ at }: { at: Date | null }) {
  return at ? <AuditTime iso={at.toISOString()} /> : <>Now</>;
}

/** What a column says when the record was not there: not created yet, or deleted. */
function absence(state: RecordState) {
  if (state.status === "not_yet") return <>It did not exist yet.</>;
  if (state.status === "deleted")
    return (
      <>
        It was deleted (on <AuditTime iso={state.deletedAt.toISOString()} />
        ).
      </>
    );
  return null;
}

/**
 * A record as it stood at an instant, beside the same record at another instant (the present, unless a
 * second time was asked for): every field, the ones that differ marked, and how many differ.
 */
export function RecordStateView({ left, right }: { left: StateAt; right: StateAt }) {
  const byField = (s: StateAt) => new Map((s.fields ?? []).map((f) => [f.field, f]));
  const [a, b] = [byField(left), byField(right)];
  const fields = [...new Map([...(left.fields ?? []), ...(right.fields ?? [])].map((f) => [f.field, f.label]))];
  const bothExist = left.fields !== null && right.fields !== null;
  const differs = (field: string) => bothExist && a.get(field)?.value !== b.get(field)?.value;
  const differing = fields.filter(([field]) => differs(field)).length;
  const versus = right.at ? "the other time" : "now";
  const summary = !bothExist
    ? null
    : differing === 0
      ? `The same as ${versus}.`
      : `${differing} field${differing === 1 ? "" : "s"} differ${differing === 1 ? "s" : ""} from ${versus}.`;

  return (
    <div role="status" aria-label="State at that time" className="space-y-2">
      <p className="text-sm text-muted-foreground">
        At <AuditTime iso={(left.at ?? new Date()).toISOString()} className="font-medium text-foreground" />
        {left.fields ? ":" : null}
        {left.fields ? null : <span className="font-medium text-foreground"> {absence(left.state)}</span>}
        {summary ? <span className="ml-1">{summary}</span> : null}
      </p>
      {fields.length > 0 ? (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[20rem] table-fixed text-sm">
            <thead>
              <tr className="text-left text-xs text-muted-foreground">
                <th scope="col" className="w-36 py-1 pr-3 font-normal">
                  Field
                </th>
                <th scope="col" className="py-1 pr-3 font-normal">
                  <Heading at={left.at} />
                </th>
                <th scope="col" className="py-1 font-normal">
                  <Heading at={right.at} />
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border/60">
              {fields.map(([field, label]) => {
                const changed = differs(field);
                return (
                  <tr
                    key={field}
                    data-differs={changed ? "" : undefined}
                    className={changed ? "bg-amber-50 dark:bg-amber-950" : undefined}
                  >
                    <th scope="row" className="py-1 pr-3 text-left align-top font-normal text-neutral-600">
                      {label}
                      {changed ? <span className="sr-only"> (differs)</span> : null}
                    </th>
                    <td className="py-1 pr-3 align-top break-words whitespace-pre-wrap">
                      {left.fields ? (a.get(field)?.value ?? "none") : <span className="text-muted-foreground">—</span>}
                    </td>
                    <td className="py-1 align-top break-words whitespace-pre-wrap">
                      {right.fields ? (
                        (b.get(field)?.value ?? "none")
                      ) : (
                        <span className="text-muted-foreground">{absence(right.state)}</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : right.fields === null && left.fields === null ? (
        <p className="text-sm text-muted-foreground">
          {right.at ? "At the other time" : "Now"}: {absence(right.state)}
        </p>
      ) : null}
    </div>
  );
}
