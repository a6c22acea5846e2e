import { describe, expect, it } from "vitest";
import { RESERVED_TYPE_NAMES, trackTable } from "./registry";
import { files } from "./testing/schema";

describe("trackTable", () => {
  it("refuses a record type named like the audit log's event pages, saying why", () => {
    expect(RESERVED_TYPE_NAMES).toContain("events");
    expect(() => trackTable(files, { type: "events" })).toThrow(/"events" is reserved.*event pages/);
  });

  it("accepts a near name", () => {
    expect(trackTable(files, { type: "event" }).type).toBe("event");
    expect(trackTable(files, { type: "events_archive" }).type).toBe("events_archive");
  });
});
