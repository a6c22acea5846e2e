import { connection } from "next/server";

/**
 * The time of this request, for a page's relative times ("3 minutes ago"). Read after `connection()`: with
 * partial prerendering or prefetching (`cacheComponents`, `partialPrefetching`, create-next-app's defaults)
 * Next refuses a clock read that it could otherwise prerender, and logs an error on every request.
 */
export async function requestTime(): Promise<number> {
  await connection();
  return Date.now();
}
