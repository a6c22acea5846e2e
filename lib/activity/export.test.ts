import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { setupTestDb } from "@/test/db";
import type { Actor } from "./actor";
import { runWithActivityContext } from "./context";
import { CSV_COLUMNS, csvField, type ExportFormat, exportPieces } from "./export-format";
import type { ActivityItem } from "./feed";
import { members, notes } from "./testing/schema";
import { sequenceAll } from "./testing/sequence";
import { fixtureKit } from "./testing/tables";

const t = setupTestDb({ database: "kit" });
const kit = fixtureKit(() => t.db);

const workspaceId = 7;
let alice: Actor & { type: "user" };

beforeEach(async () => {
  const [member] = await t.db.insert(members).values({ name: "Alice" }).returning();
  alice = { type: "user", id: member!.id, name: 'Alice "Al" Adams, Jr.', workspaceId };
});

async function exportText(format: ExportFormat, search = new URLSearchParams()) {
  const pieces = exportPieces(format);
  let text = pieces.header;
  for await (const batch of kit.exportItems(workspaceId, search)) text += pieces.batch(batch);
  return text + pieces.footer;
}

/** A small CSV reader (quotes, doubled quotes, CRLF), to read the export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}

describe("export", () => {
  beforeEach(async () => {
    await runWithActivityContext(
      { requestId: "req-7", ip: "198.51.100.4", userAgent: "agent, with comma" },
      async () => {
        for (const title of ["plain", 'with "quotes", commas\nand a line break', "=HYPERLINK(evil)"]) {
          await kit.withTracking(alice, "insert", `note ${title}`, (tx) =>
            tx.insert(notes).values({ teamId: workspaceId, title }),
          );
        }
      },
    );
    // More than one batch of the export (1,000), made fast with raw SQL (unattributed events).
    await t.db.execute(
      sql`insert into notes (team_id, title) select ${workspaceId}, 'bulk ' || g from generate_series(1, 1200) g`,
    );
    // The feed and the export hold the events the sequencer has numbered: all of them, once it has run.
    await sequenceAll(t.db);
  });

  it("writes each format so that it reads back to the same events, across batches", async () => {
    const page = async (cursor?: string) =>
      kit.feed(workspaceId, new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) }), { audit: true });
    const all: ActivityItem[] = [];
    for (let result = await page(); ; result = await page(result.nextCursor!)) {
      all.push(...result.items);
      if (!result.nextCursor) break;
    }
    expect(all).toHaveLength(1203);

    const json = JSON.parse(await exportText("json")) as ActivityItem[];
    expect(json).toEqual(all);
    const ndjson = (await exportText("ndjson"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as ActivityItem);
    expect(ndjson).toEqual(all);

    const [header, ...rows] = parseCsv(await exportText("csv"));
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(all.length);
    const byId = new Map(rows.map((r) => [r[0], Object.fromEntries(header!.map((h, i) => [h, r[i]]))]));
    const tricky = all.find((i) => i.subject.includes("quotes"))!;
    expect(byId.get(tricky.id)).toMatchObject({
      actor: 'Alice "Al" Adams, Jr.',
      subject: tricky.subject,
      request_id: "req-7",
      ip: "198.51.100.4",
      user_agent: "agent, with comma",
      unattributed: "false",
    });
    expect(JSON.parse(byId.get(tricky.id)!.changes!)).toEqual(tricky.changes);
    expect(byId.get(all.find((i) => i.subject === "note plain")!.id)!.what_changed).toBe(
      "note plain created: Status: Open; Title: plain",
    );
    const formula = all.find((i) => i.subject === "note =HYPERLINK(evil)")!;
    expect(byId.get(formula.id)!.subject).toBe("note =HYPERLINK(evil)");
  });

  it("applies the filters and refuses paging parameters", async () => {
    const pieces = await exportText("ndjson", new URLSearchParams({ actor: String(alice.id) }));
    expect(pieces.trimEnd().split("\n")).toHaveLength(3);
    expect(() => kit.exportItems(workspaceId, new URLSearchParams({ cursor: "x" }))).toThrow(/does not apply/);
    expect(() => kit.exportItems(workspaceId, new URLSearchParams({ action: "nope" }))).toThrow(/Unknown action/);
  });

  it("keeps spreadsheet formulas inert", () => {
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField("-2")).toBe("'-2");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField(null)).toBe("");
  });
});
