import { z } from "zod";
import { defineCatalogue } from "../catalogue";
import type { AnyDatabase } from "../database";
import { createActivityKit } from "../index";
import { trackTable } from "../registry";
import { codes, documents, files, folders, items, labels, members, notes, remarks, tags, tokens } from "./schema";

export const fixtureCatalogue = defineCatalogue({
  "note.closed": z.object({ reason: z.string().trim().min(1) }),
});

/** The fixture tables as a host would register them: every key type, tenants of three names and none. */
export const fixtureTables = [
  trackTable(notes, {
    type: "note",
    workspace: notes.teamId,
    label: notes.title,
    ignore: [notes.updatedAt],
    href: (id) => `/notes/${id}`,
    fields: {
      status: { label: "Status", format: (v) => (v === "open" ? "Open" : v === "closed" ? "Closed" : String(v)) },
    },
  }),
  trackTable(documents, { type: "document", workspace: documents.orgId, label: documents.title }),
  trackTable(tags, { type: "tag", label: tags.name }),
  trackTable(items, { type: "item", workspace: items.accountId, label: items.name }),
  trackTable(labels, { type: "label", label: labels.name }),
  trackTable(codes, { type: "code", workspace: codes.teamId, label: codes.name }),
  trackTable(folders, { type: "folder", workspace: folders.teamId, label: folders.name }),
  trackTable(files, {
    type: "file",
    workspace: files.teamId,
    label: files.name,
    fields: { folderId: { label: "Folder", ref: "folder" } },
  }),
  trackTable(remarks, {
    type: "remark",
    workspace: remarks.teamId,
    label: remarks.body,
    fields: { fileId: { label: "File", ref: "file" }, authorId: { label: "Author", ref: "user" } },
  }),
  trackTable(tokens, { type: "token", workspace: tokens.teamId, label: tokens.name, redact: [tokens.secret] }),
];

/** Whose deletion keeps their events with the name as it was. */
export const fixtureActors = { table: members, id: members.id, label: members.name };

/** The kit over the fixture tables, on a test database. */
export function fixtureKit<Db extends AnyDatabase>(db: () => Db) {
  return createActivityKit({
    db,
    catalogue: fixtureCatalogue,
    tables: fixtureTables,
    actors: fixtureActors,
    secret: "fixture-secret-of-some-length",
  });
}
