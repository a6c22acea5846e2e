/**
 * The seam between your app and the activity kit (`lib/activity/`): the one file you edit. Installed by the
 * `activity-kit` registry item as lib/activity-kit.ts; the routes, pages and the kit's CLI import
 * `activity` from here.
 *
 * 1. `db`: your drizzle database (drizzle-orm/postgres-js or PGlite), opened on first use, never at import.
 * 2. `trackedTables`: one `trackTable` per table whose changes you want in the feed and the audit log.
 * 3. `viewer`: who is asking, from your own session (null when signed out).
 * 4. Then `npx tsx lib/activity/cli.ts migration` writes the migration (the kit's tables once, the
 *    triggers of your tables), and your usual `drizzle-kit migrate` applies it.
 *
 * Server actions wrap their mutation in `activity.withTracking(actor, action, subject, fn)`; see
 * lib/activity/README.md.
 */
import { createActivityKit, defineCatalogue } from "@/lib/activity";
// import { trackTable } from "@/lib/activity";
// import { getDb } from "@/db";          // your drizzle database
// import { notes } from "@/db/schema";   // the tables to track

/** Your own verbs and the metadata each requires, beside insert, update, delete and revert. */
export const catalogue = defineCatalogue({
  // "note.archived": z.object({ reason: z.string().min(1) }),
});

export const trackedTables = [
  // trackTable(notes, {
  //   type: "note",               // the record type: events name records `note:42`
  //   workspace: notes.teamId,    // the tenant column, whatever its name; leave out in a single-tenant app
  //   label: notes.title,         // how a record is named in the feed
  //   ignore: [notes.updatedAt],  // columns whose changes alone are not worth an event
  //   href: (id) => `/notes/${id}`,
  //   // How people read the changes: "Status: Draft → Published", "Owner: none → Bob Brown". Unlisted
  //   // columns show under their own names; the key, the tenant column and `ignore`d columns are hidden.
  //   fields: {
  //     title: { label: "Title" },
  //     status: { label: "Status", format: (v) => String(v).toLowerCase() },
  //     ownerId: { label: "Owner", ref: "user" }, // a registered type, or "user" for `actors` below
  //     createdAt: { hidden: true },
  //   },
  //   personal: [notes.authorEmail], // values `eraseActor`/`eraseRecord` replace (see lib/activity/README.md)
  // }),
];

// Whose names `ref: "user"` reads, and whose deletion keeps their events with the name as it was.
// export const actors = { table: users, id: users.id, label: users.name };

export const activity = createActivityKit({
  db: (): never => {
    throw new Error("lib/activity-kit.ts: give the activity kit your drizzle database (`db: getDb`).");
  },
  catalogue,
  tables: trackedTables,
  // actors,
  // How long events are kept, by action (`npx tsx lib/activity/cli.ts retention` applies it): an action
  // name or a pattern ("note.*", "*" for every event) → a whole number of minutes … years.
  // retention: { "*": "2 years" },
  // Signs the feed's cursors: at least 16 characters, kept secret (an environment variable).
  secret: () => process.env.ACTIVITY_SECRET ?? "",
  // Signs the hash chain's checkpoints (Ed25519, PEM; `npx tsx lib/activity/cli.ts keygen` makes one). Without
  // it, `secret` signs them with an HMAC.
  checkpointKey: () => process.env.ACTIVITY_CHECKPOINT_KEY,
  // Who is asking: read your session here. `canAudit` opens the audit log and its export.
  viewer: async () => null,
  // e.g. const session = await auth(); return session && { actor: { type: "user", id: session.user.id,
  //   name: session.user.name, workspaceId: session.teamId }, workspaceId: session.teamId, canAudit: isAdmin };
});
