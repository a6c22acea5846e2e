/** A PostgreSQL array literal of text values, `{"a","b"}`, quoted so any value survives. */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}
