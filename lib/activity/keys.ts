// BigInt(...) rather than literals: a host's tsconfig may target ES2017 (create-next-app's does).
const INTEGER_LIMITS: Record<string, bigint> = {
  smallint: BigInt(32_767),
  integer: BigInt(2_147_483_647),
  bigint: BigInt("9223372036854775807"),
};

/**
 * Whether `id` is a key of the primary key's SQL type as PostgreSQL writes it, which is how events record
 * it: integers in range and in canonical form (not `007`), uuids well formed and in lower case, text of a
 * bounded type no longer than the bound. Anything else names no record, even where a cast would accept it
 * (`'007'::integer` is 7, `'CODE0001x'::varchar(8)` is `CODE0001`): the row found would not be the one
 * the events name.
 */
export function fitsKeyType(sqlType: string, id: string): boolean {
  const limit = INTEGER_LIMITS[sqlType];
  if (limit !== undefined) {
    return /^(0|-?[1-9]\d{0,18})$/.test(id) && BigInt(id) <= limit && BigInt(id) >= -limit - BigInt(1);
  }
  if (sqlType === "uuid") return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
  const bounded = /^(?:varchar|char|character varying|character)\((\d+)\)$/.exec(sqlType);
  if (bounded) return [...id].length <= Number(bounded[1]);
  return true;
}
