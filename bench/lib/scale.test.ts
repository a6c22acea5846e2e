import { afterEach, describe, expect, it } from "vitest";
import { formatScaleTable, sizesOf } from "./scale";

const VAR = "BENCH_SCALE_TEST_EVENTS";

describe("bench sizes and ratios", () => {
  afterEach(() => {
    delete process.env[VAR];
  });

  it("measures 1M first when asked for more than 1M, a list as given, one size up to 1M alone", () => {
    process.env[VAR] = "10000000";
    expect(sizesOf(VAR, 1_000_000, 30_060)).toEqual([1_000_000, 10_000_000]);
    process.env[VAR] = "1000000, 5_000_000,10000000";
    expect(sizesOf(VAR, 1_000_000, 30_060)).toEqual([1_000_000, 5_000_000, 10_000_000]);
    process.env[VAR] = "40000";
    expect(sizesOf(VAR, 1_000_000, 30_060)).toEqual([40_000]);
    delete process.env[VAR];
    expect(sizesOf(VAR, 1_000_000, 30_060)).toEqual([1_000_000]);
  });

  it("refuses sizes below the minimum, not whole, or not ascending", () => {
    for (const bad of ["100", "1.5e6x", "2000000,1000000", "1000000,1000000", ""]) {
      process.env[VAR] = bad;
      expect(() => sizesOf(VAR, 1_000_000, 30_060), bad).toThrow(VAR);
    }
  });

  it("calls a cost flat within 1.5× and a throughput by its inverse", () => {
    const table = formatScaleTable(
      [1_000_000, 10_000_000],
      [
        { label: "page", unit: "ms", values: [2, 2.9], decimals: 1, better: "lower" },
        { label: "slow page", unit: "ms", values: [2, 3.2], decimals: 1, better: "lower" },
        { label: "export", unit: "events/s", values: [50_000, 30_000], decimals: 0, better: "higher" },
        { label: "skipped", unit: "ms", values: [6500, Number.NaN], decimals: 0, better: "lower", note: "not run" },
        { label: "load", unit: "", values: [3, 9], decimals: 0, better: "neither" },
      ],
    );
    const row = (label: string) => table.split("\n").find((l) => l.startsWith(`${label} `)) ?? "";
    expect(table.split("\n")[0]).toMatch(/at 1M +at 10M +10M\/1M/);
    expect(row("page")).toMatch(/1\.45× +flat$/);
    expect(row("slow page")).toMatch(/1\.60× +no \(1\.6× the cost\)$/);
    expect(row("export")).toMatch(/0\.60× +no \(1\.7× the cost\)$/);
    expect(row("skipped")).toMatch(/- +not measured$/);
    expect(row("load")).toMatch(/3\.00×$/);
    expect(table).toContain("  skipped: not run");
  });
});
