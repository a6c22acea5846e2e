/**
 * Measuring one suite at more than one size in a single run: the sizes a BENCH_*_EVENTS value asks for, and
 * the table of each figure at each size with the ratio of the largest to the smallest.
 */
import { count, fixed, formatTable } from "./table";

/** The size every figure is compared against. */
export const BASE_EVENTS = 1_000_000;
/** "Flat": the larger size's figure within this factor of the smaller's. */
export const FLAT = 1.5;

/**
 * The sizes to measure, ascending: a list ("1000000,10000000") as given; a single size above BASE_EVENTS
 * means BASE_EVENTS first, then that size (the same database grown); a single size up to BASE_EVENTS, that
 * size alone.
 */
export function sizesOf(variable: string, fallback: number, minimum: number): number[] {
  const raw = process.env[variable] ?? String(fallback);
  const sizes = raw.split(",").map((part) => Number(part.trim().replaceAll("_", "")));
  for (const n of sizes) {
    if (!Number.isSafeInteger(n) || n < minimum) {
      throw new Error(`${variable} must be whole numbers of at least ${count(minimum)}, comma-separated, not "${raw}"`);
    }
  }
  for (let i = 1; i < sizes.length; i++) {
    if (sizes[i]! <= sizes[i - 1]!) throw new Error(`${variable}: the sizes must ascend, not "${raw}"`);
  }
  if (sizes.length === 1 && sizes[0]! > BASE_EVENTS) return [BASE_EVENTS, sizes[0]!];
  return sizes;
}

/** "1M", "10M", "250k": a size for column headers. */
export function short(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n % 1_000 === 0) return `${n / 1_000}k`;
  return count(n);
}

export interface ScaleRow {
  label: string;
  unit: string;
  /** The figure at each size, in the order of `sizes`; NaN where not measured. */
  values: number[];
  decimals: number;
  /** Lower is better (a time, memory) or higher is better (a throughput): "flat" is judged on the cost. */
  better: "lower" | "higher" | "neither";
  /** Printed after the row, e.g. why a size was not measured. */
  note?: string;
}

/**
 * Each figure at each size, the largest size's over the smallest's, and whether that is flat (its cost
 * within FLAT× either way; for a throughput the cost is its inverse).
 */
export function formatScaleTable(sizes: readonly number[], rows: readonly ScaleRow[]): string {
  const first = 0;
  const last = sizes.length - 1;
  const headers = [
    "figure",
    "unit",
    ...sizes.map((n) => `at ${short(n)}`),
    `${short(sizes[last]!)}/${short(sizes[first]!)}`,
    "flat (≤ 1.5×)",
  ];
  const body = rows.map((r) => {
    const ratio = r.values[last]! / r.values[first]!;
    const cost = r.better === "lower" ? ratio : 1 / ratio;
    const verdict =
      r.better === "neither"
        ? ""
        : !Number.isFinite(cost)
          ? "not measured"
          : cost <= FLAT
            ? "flat"
            : `no (${fixed(cost, 1)}× the cost)`;
    return [
      r.label,
      r.unit,
      ...r.values.map((v) => fixed(v, r.decimals)),
      Number.isFinite(ratio) ? `${fixed(ratio, 2)}×` : "-",
      verdict,
    ];
  });
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.label}: ${r.note}`);
  return [formatTable(headers, body), ...notes].join("\n");
}
