import { createHmac, timingSafeEqual } from "node:crypto";
import { ActivityError } from "./errors";

/**
 * A position in a newest-first list: the sequence number of the page's last event. Sequence numbers are
 * given in the order events became visible, and every event sequenced later gets a higher one, so the
 * events below a position are a set that no longer changes: paging down from it never skips nor repeats.
 */
export interface CursorPosition {
  seq: number;
}

// 1 was (occurred_at, id): such cursors are refused ("start from the first page").
const VERSION = 2;

function sign(secret: string, body: string, scope: string): Buffer {
  return createHmac("sha256", secret).update(`${body}|${scope}`).digest().subarray(0, 16);
}

/**
 * Opaque, signed cursors. The signature covers the scope (the workspace and the filters), so a cursor
 * cannot be edited, nor replayed against another workspace or another filter: both are refused with 400.
 */
export function createCursorCodec(secret: string) {
  if (secret.length < 16) throw new Error("The cursor secret must be at least 16 characters.");
  return {
    encode(position: CursorPosition, scope: string): string {
      const body = Buffer.from(JSON.stringify([VERSION, position.seq])).toString("base64url");
      return `${body}.${sign(secret, body, scope).toString("base64url")}`;
    },

    decode(cursor: string, scope: string): CursorPosition {
      const invalid = () =>
        new ActivityError(
          "invalid_cursor",
          "The cursor is invalid or belongs to another list: start from the first page.",
          "cursor",
        );
      const [body, signature, extra] = cursor.split(".");
      if (!body || !signature || extra !== undefined || cursor.length > 200) throw invalid();
      const expected = sign(secret, body, scope);
      const given = Buffer.from(signature, "base64url");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      } catch {
        throw invalid();
      }
      if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== VERSION) throw invalid();
      const [, seq] = parsed as [number, unknown];
      if (!Number.isSafeInteger(seq) || (seq as number) <= 0) throw invalid();
      return { seq: seq as number };
    },
  };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;
