import { and, asc, eq, gt } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import { type ActivityItem, type FeedFilters, matchesFilters, parseFeedParams, type SequencedEvent } from "./feed";
import { activityEvents, activitySequence } from "./schema";
import type { ToItems } from "./items";
import { readHead, SEQUENCED_CHANNEL, type Sequencer, startSequencer } from "./sequencer";

/** Subscribes to a PostgreSQL channel on a connection of its own; resolves to an unsubscribe function. */
export type Listen = (
  channel: string,
  onMessage: (payload: string) => void,
  onReconnect?: () => void,
) => Promise<() => Promise<void>>;

/** One open stream: its tenant, filters and position, and how to send it an item or close it. */
export interface LiveSubscriber {
  workspaceId: string;
  filters: FeedFilters;
  /** The last sequence number the subscriber has (`after` or `Last-Event-ID`); null starts at the present. */
  after: number | null;
  send(item: ActivityItem & { seq: number }): void;
  /** Called when the server shuts down: the stream ends, the browser reconnects elsewhere. */
  close(): void;
  /** Aborted when the client goes away: a long backfill stops there. */
  signal?: AbortSignal;
}

export interface LiveOptions {
  db: () => AnyDatabase | Promise<AnyDatabase>;
  listen: Listen;
  /** The kit's `toItems`: the hub sends items as the feed's API shows them. */
  toItems: ToItems;
  /** Run the sequencer in this process (every app process does; they take turns by advisory lock). */
  sequence?: boolean;
  /** How often to re-read the heads even without a notification (a missed one then costs this much). */
  pollMs?: number;
}

const PAGE = 500;

interface Delivery {
  row: SequencedEvent;
  item: ActivityItem & { seq: number };
}

interface Subscription {
  subscriber: LiveSubscriber;
  /** The last seq sent; buffered until the backfill is done. */
  cursor: number;
  ready: boolean;
}

/**
 * The live side of the feed, one per server process: one listening connection, however many browsers.
 * On each notification of the sequencer it reads the newly sequenced events of the workspaces that have
 * subscribers, once, and fans them out, each subscriber getting those that pass its filters, in sequence
 * order, each once.
 */
export function createLiveHub(options: LiveOptions) {
  const byWorkspace = new Map<string, Set<Subscription>>();
  /** Per workspace: the last seq read from the database and fanned out. */
  const fetched = new Map<string, number>();
  const pumping = new Map<string, Promise<void>>();
  let unlisten: (() => Promise<void>) | undefined;
  let sequencer: Sequencer | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  let started: Promise<void> | undefined;
  let closing = false;

  async function readAfter(workspaceId: string, after: number): Promise<SequencedEvent[]> {
    const db = await options.db();
    const rows = await db
      .select({ event: activityEvents, seq: activitySequence.seq })
      .from(activitySequence)
      .innerJoin(activityEvents, eq(activityEvents.id, activitySequence.eventId))
      .where(and(eq(activitySequence.workspaceId, workspaceId), gt(activitySequence.seq, after)))
      .orderBy(asc(activitySequence.seq))
      .limit(PAGE);
    return rows.map((r) => ({ ...r.event, seq: r.seq }));
  }

  /** The rows as items, paired, in sequence order. */
  async function itemsOf(rows: SequencedEvent[]): Promise<Delivery[]> {
    const items = await options.toItems(rows);
    return rows.map((row, i) => ({ row, item: { ...items[i]!, seq: row.seq! } }));
  }

  function deliver(subscription: Subscription, deliveries: Delivery[]) {
    for (const { row, item } of deliveries) {
      if (item.seq <= subscription.cursor) continue;
      subscription.cursor = item.seq;
      if (matchesFilters(row, subscription.subscriber.filters)) subscription.subscriber.send(item);
    }
  }

  /** Reads and fans out everything of the workspace up to `head`; one pump per workspace at a time. */
  function pump(workspaceId: string, head?: number): Promise<void> {
    const previous = pumping.get(workspaceId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const subscriptions = byWorkspace.get(workspaceId);
      if (!subscriptions || subscriptions.size === 0) return;
      let last = fetched.get(workspaceId) ?? 0;
      if (head !== undefined && head <= last) return;
      for (;;) {
        const rows = await readAfter(workspaceId, last);
        if (rows.length === 0) break;
        const deliveries = await itemsOf(rows);
        last = rows.at(-1)!.seq!;
        fetched.set(workspaceId, last);
        // The set as it is now: subscribers may have come and gone while the rows were read.
        for (const subscription of byWorkspace.get(workspaceId) ?? []) {
          if (subscription.ready) deliver(subscription, deliveries);
        }
        if (rows.length < PAGE) break;
      }
    });
    const settled = next.catch((error) => console.error("activity live: fan-out failed", error));
    pumping.set(workspaceId, settled);
    return settled;
  }

  async function pumpAll(heads?: Record<string, number>) {
    const workspaces = heads ? Object.keys(heads).filter((w) => byWorkspace.has(w)) : [...byWorkspace.keys()];
    await Promise.all(workspaces.map((w) => pump(w, heads?.[w])));
  }

  function onMessage(payload: string) {
    let heads: Record<string, number> | undefined;
    try {
      heads = payload === "*" ? undefined : (JSON.parse(payload) as Record<string, number>);
    } catch {
      heads = undefined;
    }
    void pumpAll(heads);
  }

  return {
    /** Starts listening (and sequencing). Idempotent. */
    start(): Promise<void> {
      started ??= (async () => {
        unlisten = await options.listen(SEQUENCED_CHANNEL, onMessage, () => void pumpAll());
        if (options.sequence !== false) sequencer = startSequencer(options.db);
        poll = setInterval(() => void pumpAll(), options.pollMs ?? 5_000);
        poll.unref?.();
      })();
      return started;
    },

    /**
     * Adds a subscriber: it first receives every event after its `after` (a reconnect resumes where it
     * stopped), then the live ones, each once. Returns the unsubscribe function.
     */
    async subscribe(subscriber: LiveSubscriber): Promise<() => void> {
      if (closing) throw new Error("the live hub is shutting down");
      await this.start();
      const head = await readHead(await options.db(), subscriber.workspaceId);
      // A position past the head comes from a log that was since reset (a re-seed): start from the head.
      const subscription: Subscription = { subscriber, cursor: Math.min(subscriber.after ?? head, head), ready: false };
      const set = byWorkspace.get(subscriber.workspaceId) ?? new Set();
      byWorkspace.set(subscriber.workspaceId, set);
      set.add(subscription);
      if (!fetched.has(subscriber.workspaceId)) fetched.set(subscriber.workspaceId, head);
      // Backfill from the subscriber's own position up to what the hub has fanned out so far. A pump may
      // fan out more meanwhile (without this subscriber, not ready yet): then backfill again. The check and
      // `ready = true` run without an await between them, so from then on the pump includes it.
      for (;;) {
        const target = fetched.get(subscriber.workspaceId) ?? 0;
        while (subscription.cursor < target && set.has(subscription) && !subscriber.signal?.aborted) {
          const rows = (await readAfter(subscriber.workspaceId, subscription.cursor)).filter((r) => r.seq! <= target);
          if (rows.length === 0) break;
          deliver(subscription, await itemsOf(rows));
        }
        if ((fetched.get(subscriber.workspaceId) ?? 0) === target) break;
      }
      subscription.ready = true;
      await pump(subscriber.workspaceId);
      return () => {
        set.delete(subscription);
        // `fetched` stays: a pump in flight may still advance it, and the next subscriber resumes from it.
        if (set.size === 0 && byWorkspace.get(subscriber.workspaceId) === set)
          byWorkspace.delete(subscriber.workspaceId);
      };
    },

    /** True once `shutdown` was called: new streams are refused (the route answers 503). */
    get closing(): boolean {
      return closing;
    },

    /** For SIGTERM: closes every stream and refuses new ones, so the server can exit at once. */
    async shutdown(): Promise<void> {
      closing = true;
      await this.stop();
    },

    /** How many streams are open (for the benchmark and tests). */
    get subscriberCount(): number {
      let n = 0;
      for (const set of byWorkspace.values()) n += set.size;
      return n;
    },

    /** Closes every stream and stops listening and sequencing: the server can then exit promptly. */
    async stop(): Promise<void> {
      for (const set of byWorkspace.values()) {
        for (const s of set) {
          try {
            s.subscriber.close();
          } catch (error) {
            console.error("activity live: closing a stream failed", error);
          }
        }
      }
      byWorkspace.clear();
      fetched.clear();
      clearInterval(poll);
      await sequencer?.stop();
      await unlisten?.();
      started = undefined;
    },
  };
}

/** A process's live hub (`kit.live()`): `start`, `subscribe`, `shutdown`, `closing`. */
export type LiveHub = ReturnType<typeof createLiveHub>;

/**
 * The stream's query string: `after` (or the `Last-Event-ID` header, which wins: it is where a reconnecting
 * browser stopped) and the feed's filters. Bad input is an ActivityError naming the parameter.
 */
export function parseLiveParams(
  search: URLSearchParams,
  lastEventId: string | null,
  knownActions: readonly string[],
): { after: number | null; filters: FeedFilters } {
  const rest = new URLSearchParams(search);
  const afterParam = rest.get("after");
  if (rest.getAll("after").length > 1) throw new ActivityError("invalid_filter", `Give "after" at most once.`, "after");
  rest.delete("after");
  for (const key of ["limit", "cursor"]) {
    if (rest.has(key)) throw new ActivityError("invalid_filter", `"${key}" does not apply to the live stream.`, key);
  }
  const { limit: _limit, cursor: _cursor, ...filters } = parseFeedParams(rest, knownActions);
  const raw = lastEventId ?? afterParam;
  if (raw === null || raw === "") return { after: null, filters };
  if (!/^\d{1,15}$/.test(raw)) {
    throw new ActivityError(
      "invalid_filter",
      `"after" must be a sequence number from the feed.`,
      lastEventId ? "Last-Event-ID" : "after",
    );
  }
  return { after: Number(raw), filters };
}
