"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type ComponentProps, createContext, type ReactNode, useContext, useTransition } from "react";
import { cn } from "@/lib/utils";

interface FeedNavigationState {
  /** A new filter is applied: the server renders the feed for it. */
  pending: boolean;
  navigate(href: string): void;
}

const FeedNavigationContext = createContext<FeedNavigationState>({ pending: false, navigate: () => {} });

/**
 * Filter changes are navigations (the URL is the filter state). Run them in one transition shared by the
 * filters bar and the links in the lines, so the feed can show that it is on its way.
 */
export function FeedNavigation({ children }: { children: ReactNode }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const navigate = (href: string) => startTransition(() => router.push(href));
  return <FeedNavigationContext.Provider value={{ pending, navigate }}>{children}</FeedNavigationContext.Provider>;
}

export function useFeedNavigation(): FeedNavigationState {
  return useContext(FeedNavigationContext);
}

/** A link to the feed with other filters: a real link (new tab, no script), a shared transition on click. */
export function FilterLink({ href, ...props }: ComponentProps<typeof Link> & { href: string }) {
  const { navigate } = useFeedNavigation();
  return (
    <Link
      href={href}
      onNavigate={(event) => {
        event.preventDefault();
        navigate(href);
      }}
      {...props}
    />
  );
}

/** Dims what it wraps while a new filter loads. */
export function PendingFade({ children }: { children: ReactNode }) {
  const { pending } = useFeedNavigation();
  return (
    <div aria-busy={pending} className={cn("transition-opacity duration-200", pending && "opacity-60")}>
      {children}
    </div>
  );
}
