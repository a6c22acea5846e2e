import type { NextConfig } from "next";
import { ACTION_BODY_LIMIT_BYTES } from "./lib/request-guard";
import { API_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./lib/security-headers";

const nextConfig: NextConfig = {
  // PGlite ships a WASM build of PostgreSQL; bundling it would copy ~15 MB into the static output.
  serverExternalPackages: ["@electric-sql/pglite"],
  // `npm run dev` opened as http://127.0.0.1:3000 (as well as localhost) keeps its hot reload.
  allowedDevOrigins: ["127.0.0.1"],
  // `npm run typecheck` runs tsc over the whole repository; the build need not do it twice.
  typescript: { ignoreBuildErrors: true },
  // proxy.ts refuses what Next would mangle, so it needs the request's URL as sent.
  skipProxyUrlNormalize: true,
  // proxy.ts answers 413 above the same limit; Next itself would answer 500.
  experimental: { serverActions: { bodySizeLimit: ACTION_BODY_LIMIT_BYTES } },
  // Pages get their Content-Security-Policy, with a nonce, from proxy.ts.
  async headers() {
    return [
      { source: "/:path*", headers: [...SECURITY_HEADERS] },
      // Auth.js's own pages (its error page, say) are HTML with inline styles: only framing is refused there.
      {
        source: "/api/:path((?!auth(?:/|$)).*)",
        headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }],
      },
      { source: "/api/auth/:path*", headers: [{ key: "Content-Security-Policy", value: "frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
