import type { ActivityItem } from "@/lib/activity";
import type { SignedIn } from "./accounts";

export interface OpenStream {
  status: number;
  events: ActivityItem[];
  /** Everything received so far, comments and heartbeats included (what a leak check reads). */
  text(): string;
  close(): void;
}

/**
 * Opens the live stream with the account's session cookies over a socket of this process (Node's fetch),
 * and keeps reading it in the background: an SSE response never ends, so it cannot be read as one body.
 */
export async function openStream(me: SignedIn, url: string): Promise<OpenStream> {
  const base = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${process.env.E2E_PORT ?? "3100"}`;
  const cookie = (await me.context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const abort = new AbortController();
  const response = await fetch(new URL(url, base), { headers: { cookie }, signal: abort.signal });
  let received = "";
  const events: ActivityItem[] = [];
  if (response.body) {
    const decoder = new TextDecoder();
    let buffer = "";
    (async () => {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        received += text;
        buffer += text;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
          if (data && /^event: activity$/m.test(block)) events.push(JSON.parse(data) as ActivityItem);
          end = buffer.indexOf("\n\n");
        }
      }
    })().catch(() => {
      // aborted by close()
    });
  }
  return { status: response.status, events, text: () => received, close: () => abort.abort() };
}
