import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "activity-kit",
  description: "Activity feeds and audit logs for Next.js apps.",
};

/**
 * Rendered for each request, never prerendered: the nonce in the request's Content-Security-Policy
 * (proxy.ts) must reach the scripts Next writes into every page, the not-found page included.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
