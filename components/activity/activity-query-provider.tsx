"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";

/**
 * The TanStack Query client of the feed and the audit log, one per browser tab (and per server render).
 * An app that has a QueryClientProvider of its own can leave this out.
 */
export function ActivityQueryProvider({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        // The server renders the first page; refetching it right after hydration would be wasted.
        defaultOptions: { queries: { staleTime: 60_000 } },
      }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
