import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { AnyDatabase } from "./database";
import { ActivityError } from "./errors";
import {
  type ActivityItem,
  type FeedFilters,
  matchesFilters,
  parseFeedParams,
  type SequencedEvent,
  sequencedEventQuery,
} from "./feed";
import type { ToItems } from "./items";
import { activitySequence } from "./schema";
import { readHead, SEQUENCED_CHANNEL, type Sequencer, startSequencer } from "./sequencer";
import { activityFrame } from "./sse";

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
  /**
   * Who opened it (`actorKey(viewer.actor)`): at most `maxStreamsPerViewer` streams open at once per owner
   * in this process, and `endStreamsOf(owner)` ends them. Left out, the stream is not counted.
   */
  owner?: string;
  /** An item, and its SSE frame: built once per item and shared by every stream that gets it. */
  send(item: ActivityItem & { seq: number }, frame: Uint8Array): void;
  /**
   * More than `replayLimit` events were missed: they are not replayed, the stream continues after `head`,
   * and what the subscriber shows is out of date (refetch it). Without `reset`, the stream is closed.
   */
  reset?(head: number): void;
  /** Called when the server shuts down, or the owner's streams are ended: the stream ends. */
  close(): void;
  /** Aborted when the client goes away: a long backfill stops there. */
  signal?: AbortSignal;
}

/** The bounds of the live streams, a kit option (`createActivityKit({ live: { … } })`). */
export interface LiveLimits {
  /** At most this many events are replayed to a stream that resumes (`after`, `Last-Event-ID`); past it, a `reset`. */
  replayLimit?: number;
  /** Open streams per viewer (actor) in one process; the next one is refused with 429 `too_many_streams`. */
  maxStreamsPerViewer?: number;
  /** How often an open stream re-reads the viewer (ms); it ends when they are gone or lost the workspace. */
  recheckViewerMs?: number;
  /** Bytes a stream may hold unread for a slow client; past it, a `reset` and the stream ends. */
  maxBufferedBytes?: number;
}

export const LIVE_LIMIT_DEFAULTS: Required<LiveLimits> = {
  replayLimit: 500,
  maxStreamsPerViewer: 10,
  recheckViewerMs: 30_000,
  maxBufferedBytes: 1 << 20,
};

export interface LiveOptions {
  db: () => AnyDatabase | Promise<AnyDatabase>;
  listen: Listen;
  /** The kit's `toItems`: the hub sends items as the feed's API shows them. */
  toItems: ToItems;
  /** Run the sequencer in this process (every app process does; they take turns by advisory lock). */
  sequence?: boolean;
  /** How often to re-read the heads even without a notification (a missed one then costs this much). */
  pollMs?: number;
  limits?: LiveLimits;
}

/** An open subscription: `ready` once the replay is sent and live items flow; `end` unsubscribes. */
export interface LiveStream {
  ready: Promise<void>;
  end(): void;
}

const PAGE = 500;
/**
 * Subscribers a fan-out sends to before it lets the event loop run (other requests, a health check):
 * sending a batch to thousands of streams in one turn held every other request for the whole of it.
 */
export const FAN_OUT_SLICE = 200;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Other instances are told to end an owner's streams on this channel (payload: the owner). */
export const END_STREAMS_CHANNEL = "activity_end_streams";

interface Delivery {
  row: SequencedEvent;
  item: ActivityItem & { seq: number };
  /** Built on first use: an item no stream matches is never serialised. */
  frame?: Uint8Array;
}

interface Subscription {
  subscriber: LiveSubscriber;
  /** The last seq sent; buffered until the backfill is done. */
  cursor: number;
  ready: boolean;
  ended: boolean;
}

const frameOf = (delivery: Delivery) => {
  delivery.frame ??= activityFrame(delivery.item);
  return delivery.frame;
};

/**
 * The live side of the feed, one per server process: one listening connection, however many browsers.
 * On each notification of the sequencer it reads the newly sequenced events of the workspaces that have
 * subscribers, once, and fans them out, each subscriber getting those that pass its filters, in sequence
 * order, each once.
 */
export function createLiveHub(options: LiveOptions) {
  const limits: Required<LiveLimits> = { ...LIVE_LIMIT_DEFAULTS, ...definedOnly(options.limits ?? {}) };
  const byWorkspace = new Map<string, Set<Subscription>>();
  const byOwner = new Map<string, Set<Subscription>>();
  /** Every subscription, also those still attaching: `stop` closes them all. */
  const all = new Set<Subscription>();
  /** Per workspace: the last seq read from the database and fanned out. */
  const fetched = new Map<string, number>();
  const pumping = new Map<string, Promise<void>>();
  let unlisten: (() => Promise<void>)[] = [];
  let sequencer: Sequencer | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  let started: Promise<void> | undefined;
  let closing = false;

  async function readAfter(workspaceId: string, after: number): Promise<SequencedEvent[]> {
    const db = await options.db();
    const { event, fields } = sequencedEventQuery(db);
    return db
      .select(fields)
      .from(activitySequence)
      .crossJoinLateral(event)
      .where(and(eq(activitySequence.workspaceId, workspaceId), gt(activitySequence.seq, after)))
      .orderBy(asc(activitySequence.seq))
      .limit(PAGE);
  }

  /** The rows as items, paired, in sequence order. */
  async function itemsOf(rows: SequencedEvent[]): Promise<Delivery[]> {
    const items = await options.toItems(rows);
    return rows.map((row, i) => ({ row, item: { ...items[i]!, seq: row.seq! } }));
  }

  function deliver(subscription: Subscription, deliveries: Delivery[]) {
    for (const delivery of deliveries) {
      if (subscription.ended) return;
      if (delivery.item.seq <= subscription.cursor) continue;
      subscription.cursor = delivery.item.seq;
      if (matchesFilters(delivery.row, subscription.subscriber.filters)) {
        subscription.subscriber.send(delivery.item, frameOf(delivery));
      }
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
        // A subscriber that came to a workspace without any may have moved `fetched` on (see attach).
        last = Math.max(last, fetched.get(workspaceId) ?? 0);
        const rows = await readAfter(workspaceId, last);
        if (rows.length === 0) break;
        const deliveries = await itemsOf(rows);
        last = rows.at(-1)!.seq!;
        fetched.set(workspaceId, Math.max(last, fetched.get(workspaceId) ?? 0));
        // The set as it is now: subscribers may have come and gone while the rows were read, and come (a
        // Set's iteration includes them; their cursor skips what their backfill sent) or gone between slices.
        let sent = 0;
        for (const subscription of byWorkspace.get(workspaceId) ?? []) {
          if (!subscription.ready) continue;
          deliver(subscription, deliveries);
          if (++sent % FAN_OUT_SLICE === 0) await nextTurn();
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

  function detach(subscription: Subscription) {
    if (subscription.ended) return;
    subscription.ended = true;
    all.delete(subscription);
    const { workspaceId, owner } = subscription.subscriber;
    const set = byWorkspace.get(workspaceId);
    // `fetched` stays: a pump in flight may still advance it, and the next subscriber resumes from it.
    if (set?.delete(subscription) && set.size === 0) byWorkspace.delete(workspaceId);
    if (owner === undefined) return;
    const mine = byOwner.get(owner);
    if (mine?.delete(subscription) && mine.size === 0) byOwner.delete(owner);
  }

  function closeStream(subscription: Subscription) {
    detach(subscription);
    try {
      subscription.subscriber.close();
    } catch (error) {
      console.error("activity live: closing a stream failed", error);
    }
  }

  /** Ends the owner's streams in this process; returns how many. */
  function endLocal(owner: string): number {
    const mine = [...(byOwner.get(owner) ?? [])];
    for (const subscription of mine) closeStream(subscription);
    return mine.length;
  }

  async function attach(hub: { start(): Promise<void> }, subscription: Subscription): Promise<void> {
    const { subscriber } = subscription;
    await hub.start();
    const head = await readHead(await options.db(), subscriber.workspaceId);
    if (subscription.ended) return;
    // A position past the head comes from a log that was since reset (a re-seed): start from the head.
    subscription.cursor = Math.min(subscriber.after ?? head, head);
    if (head - subscription.cursor > limits.replayLimit) {
      // Replaying it all would read and send without bound (`after=0` on a long log, many such streams):
      // the subscriber refetches its page instead and continues from here.
      subscription.cursor = head;
      if (!subscriber.reset) {
        closeStream(subscription);
        return;
      }
      subscriber.reset(head);
    }
    const set = byWorkspace.get(subscriber.workspaceId) ?? new Set();
    // Nobody else follows the workspace: what the hub fanned out last (maybe long ago, before the last
    // subscriber left) is no one's concern, and reading from there would be another unbounded replay.
    if (set.size === 0) fetched.set(subscriber.workspaceId, Math.max(fetched.get(subscriber.workspaceId) ?? 0, head));
    byWorkspace.set(subscriber.workspaceId, set);
    set.add(subscription);
    // Backfill from the subscriber's own position up to what the hub has fanned out so far. A pump may
    // fan out more meanwhile (without this subscriber, not ready yet): then backfill again. The check and
    // `ready = true` run without an await between them, so from then on the pump includes it.
    for (;;) {
      const target = fetched.get(subscriber.workspaceId) ?? 0;
      while (subscription.cursor < target && !subscription.ended && !subscriber.signal?.aborted) {
        const rows = (await readAfter(subscriber.workspaceId, subscription.cursor)).filter((r) => r.seq! <= target);
        if (rows.length === 0) break;
        deliver(subscription, await itemsOf(rows));
      }
      if ((fetched.get(subscriber.workspaceId) ?? 0) === target) break;
    }
    if (subscription.ended) return;
    subscription.ready = true;
    await pump(subscriber.workspaceId);
  }

  return {
    /** The streams' bounds, defaults filled in (the stream route reads the buffer bound and re-check period). */
    limits: limits as Readonly<Required<LiveLimits>>,

    /** Starts listening (and sequencing). Idempotent. */
    start(): Promise<void> {
      started ??= (async () => {
        unlisten = [
          await options.listen(SEQUENCED_CHANNEL, onMessage, () => void pumpAll()),
          await options.listen(END_STREAMS_CHANNEL, (owner) => void endLocal(owner)),
        ];
        if (options.sequence !== false) sequencer = startSequencer(options.db);
        poll = setInterval(() => void pumpAll(), options.pollMs ?? 5_000);
        poll.unref?.();
      })();
      return started;
    },

    /**
     * Opens a subscription at once, counted against its owner's cap (an ActivityError `too_many_streams`
     * past it, `unavailable` while shutting down), then, by `ready`, sends every event after its `after`
     * (at most `replayLimit`, else a `reset`), then the live ones, each once.
     */
    open(subscriber: LiveSubscriber): LiveStream {
      if (closing) throw new ActivityError("unavailable", "The server is restarting; reload in a moment.");
      const { owner } = subscriber;
      const mine = owner === undefined ? undefined : (byOwner.get(owner) ?? new Set<Subscription>());
      if (mine && mine.size >= limits.maxStreamsPerViewer) {
        throw new ActivityError(
          "too_many_streams",
          `At most ${limits.maxStreamsPerViewer} live streams may be open at once; close a tab and try again.`,
        );
      }
      const subscription: Subscription = { subscriber, cursor: 0, ready: false, ended: false };
      all.add(subscription);
      if (owner !== undefined && mine) byOwner.set(owner, mine.add(subscription));
      const ready = attach(this, subscription).catch((error: unknown) => {
        detach(subscription);
        throw error;
      });
      return { ready, end: () => detach(subscription) };
    },

    /** `open`, awaited: resolves to the unsubscribe function once the replay is sent. */
    async subscribe(subscriber: LiveSubscriber): Promise<() => void> {
      const stream = this.open(subscriber);
      await stream.ready;
      return stream.end;
    },

    /**
     * Ends the owner's open streams (on sign-out, say) in this process at once, and tells the other
     * instances listening on the database to end theirs. Resolves to how many ended here.
     */
    async endStreamsOf(owner: string): Promise<number> {
      const ended = endLocal(owner);
      if (started) {
        const db = await options.db();
        await db.execute(sql`select pg_notify(${END_STREAMS_CHANNEL}, ${owner})`);
      }
      return ended;
    },

    /** How many streams the owner has open in this process. */
    streamsOf(owner: string): number {
      return byOwner.get(owner)?.size ?? 0;
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
      return all.size;
    },

    /** Closes every stream and stops listening and sequencing: the server can then exit promptly. */
    async stop(): Promise<void> {
      for (const subscription of [...all]) closeStream(subscription);
      byWorkspace.clear();
      byOwner.clear();
      fetched.clear();
      clearInterval(poll);
      await sequencer?.stop();
      for (const stop of unlisten) await stop();
      unlisten = [];
      started = undefined;
    },
  };
}

/** A process's live hub (`kit.live()`): `start`, `open`/`subscribe`, `endStreamsOf`, `shutdown`, `closing`. */
export type LiveHub = ReturnType<typeof createLiveHub>;

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

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
