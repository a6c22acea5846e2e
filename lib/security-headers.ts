/**
 * The headers that keep the app's pages from being framed, sniffed or fed foreign scripts. Pages get a
 * Content-Security-Policy with a fresh nonce from proxy.ts (Next puts the nonce on its own scripts when it
 * finds it in the request's policy); every response, API routes and the stream included, gets the rest from
 * next.config.ts.
 */

/** On every response: no framing (old browsers read X-Frame-Options), no MIME sniffing, no full referrer. */
export const SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
] as const;

/** API responses are data, never documents: nothing may load from them, and nothing may frame them. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** A nonce for one response's scripts: 128 random bits, base64. */
export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * A page's policy. Scripts run only with the nonce ('strict-dynamic' lets them load Next's chunks);
 * `next dev` also evaluates code for its overlay and hot reload, hence 'unsafe-eval' there only. Styles
 * allow inline: React renders `style` attributes, and an injected style cannot run code.
 */
export function pageContentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
