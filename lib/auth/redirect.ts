/**
 * Only a path on this site: the host of an absolute callback URL is dropped, so sign-in can never
 * redirect elsewhere (an open redirect would be a phishing tool).
 */
export function safeRedirect(target: unknown, fallback: string): string {
  if (typeof target !== "string" || target === "") return fallback;
  try {
    const url = new URL(target, "http://local.invalid");
    return url.pathname.startsWith("/login") ? fallback : `${url.pathname}${url.search}`;
  } catch {
    return fallback;
  }
}
