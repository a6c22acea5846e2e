/**
 * The seam between this app and the activity kit, filled in for the notes app of the install test: what
 * a host writes in the template that `activity-kit` installs here.
 */
import { createActivityKit, defineCatalogue, trackTable } from "@/lib/activity";
import { getDb } from "@/db";
import { notes } from "@/db/schema";

export const catalogue = defineCatalogue({});

export const trackedTables = [
  trackTable(notes, { type: "note", workspace: notes.teamId, label: notes.title, ignore: [notes.updatedAt] }),
];

/** The one signed-in user of this app: a real app reads its own session here. */
export const currentUser = { type: "user", id: "1", name: "Ada Lovelace", workspaceId: 1 } as const;

export const activity = createActivityKit({
  db: getDb,
  catalogue,
  tables: trackedTables,
  secret: () => process.env.ACTIVITY_SECRET ?? "",
  viewer: async () => ({ actor: currentUser, workspaceId: currentUser.workspaceId, canAudit: true }),
});
