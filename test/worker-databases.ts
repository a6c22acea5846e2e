/** Worker pool ids are 1..maxWorkers; one server database is made per id from the migrated template. */
export const WORKER_DATABASES = 4;

export function workerDatabaseUrl(baseUrl: string, poolId: number): string {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.slice(1)}_w${poolId}`;
  return url.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}
