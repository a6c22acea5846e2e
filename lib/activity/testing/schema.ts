/**
 * The kit's own test tables: one per primary-key type and tenant naming a host might have, so the kit's
 * tests do not lean on any app's schema. Installed into the test databases by `installFixtures`.
 */
import {
  bigint,
  bigserial,
  integer,
  pgTable,
  serial,
  smallserial,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

/** `serial` key, integer tenant `team_id`, an `updated_at` the registration ignores. */
export const notes = pgTable("notes", {
  id: serial("id").primaryKey(),
  teamId: integer("team_id").notNull(),
  title: text("title").notNull(),
  body: text("body").notNull().default(""),
  status: text("status").notNull().default("open"),
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** `uuid` key, uuid tenant `org_id`. */
export const documents = pgTable("documents", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull(),
  title: text("title").notNull(),
});

/** `text` key, no tenant (shared by everyone, or a single-tenant app). */
export const tags = pgTable("tags", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
});

/** `bigint` identity key, text tenant `account_id`. */
export const items = pgTable("items", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  accountId: text("account_id").notNull(),
  name: text("name").notNull(),
  quantity: integer("quantity").notNull().default(0),
});

/** `smallserial` key, no tenant. */
export const labels = pgTable("labels", {
  id: smallserial("id").primaryKey(),
  name: text("name").notNull(),
});

/** `varchar(n)` key, integer tenant. */
export const codes = pgTable("codes", {
  id: varchar("id", { length: 8 }).primaryKey(),
  teamId: integer("team_id").notNull(),
  name: text("name").notNull(),
});

/** A parent with a plain `integer` key the host assigns. */
export const folders = pgTable("folders", {
  id: integer("id").primaryKey(),
  teamId: integer("team_id").notNull(),
  name: text("name").notNull(),
});

/** Its children, `bigserial` keys, deleted with their folder (revert recreates parents first). */
export const files = pgTable("files", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  folderId: integer("folder_id")
    .notNull()
    .references(() => folders.id, { onDelete: "cascade" }),
  teamId: integer("team_id").notNull(),
  name: text("name").notNull(),
});

/**
 * Remarks on files: grandchildren of folders (a folder's deletion cascades to them), and a reference to an
 * untracked table (`members`) that the member's deletion sets to null.
 */
export const remarks = pgTable("remarks", {
  id: serial("id").primaryKey(),
  fileId: bigint("file_id", { mode: "number" })
    .notNull()
    .references(() => files.id, { onDelete: "cascade" }),
  teamId: integer("team_id").notNull(),
  authorId: integer("author_id").references(() => members.id, { onDelete: "set null" }),
  body: text("body").notNull(),
});

/** A table with a column the log must never hold. */
export const tokens = pgTable("tokens", {
  id: serial("id").primaryKey(),
  teamId: integer("team_id").notNull(),
  name: text("name").notNull(),
  secret: text("secret").notNull(),
});

/** The people who act: deleting one keeps their events and drops the link. */
export const members = pgTable("members", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
});

export const fixtureSchema = { notes, documents, tags, items, labels, codes, folders, files, remarks, tokens, members };
