/**
 * Whether a request carries an Auth.js session cookie (`authjs.session-token`, `__Secure-` on HTTPS,
 * `.0`, `.1`, … when a large token is split). Only a first sieve for the proxy: the pages and actions
 * read and verify the session themselves.
 */
const SESSION_COOKIE = /^(?:__Secure-)?authjs\.session-token(?:\.\d+)?$/;

export function hasSessionCookie(cookieNames: Iterable<string>): boolean {
  for (const name of cookieNames) if (SESSION_COOKIE.test(name)) return true;
  return false;
}
