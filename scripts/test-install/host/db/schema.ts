import { integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

/** The host's own table: a `serial` key and a tenant column that is not called `workspace`. */
export const notes = pgTable("notes", {
  id: serial("id").primaryKey(),
  teamId: integer("team_id").notNull(),
  title: text("title").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Note = typeof notes.$inferSelect;
