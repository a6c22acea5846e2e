const BASE = "http://local.invalid";

/**
 * Only a relative path on this site passes; anything else gets the fallback. Browsers read `\` as `/`
 * and drop tabs and newlines, so `/\evil.example` or `/<tab>/evil.example` would name another host, and
 * so would a path that only resolves to `//…` (`/.//evil.example`): those fall back too, as do absolute
 * URLs of any scheme (an open redirect after sign-in would be a phishing tool).
 */
export function safeRedirect(target: unknown, fallback: string): string {
  if (typeof target !== "string" || !target.startsWith("/") || target.startsWith("//")) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\\\u0000-\u001f\u007f]/.test(target)) return fallback;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE || url.pathname.startsWith("//") || url.pathname.startsWith("/login")) return fallback;
  return `${url.pathname}${url.search}`;
}
