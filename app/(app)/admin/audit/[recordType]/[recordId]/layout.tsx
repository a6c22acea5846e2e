import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { auditRecordFrom } from "@/lib/audit-record";

/**
 * Decides "not found" outside the page's loading boundary: once a loading state has streamed, the status
 * is sent and a `notFound()` in the page can only render the message with a 200.
 */
export default async function RecordHistoryLayout({
  params,
  children,
}: {
  params: Promise<{ recordType: string; recordId: string }>;
  children: ReactNode;
}) {
  if (!auditRecordFrom(await params)) notFound();
  return children;
}
