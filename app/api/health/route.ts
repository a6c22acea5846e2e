import { sql } from "drizzle-orm";
import { connection } from "next/server";
import { getDb } from "@/lib/db";

/** 200 once the database is open and migrated; 503 with the reason otherwise. */
export async function GET() {
  // Read at request time, never prerendered (with or without cacheComponents).
  await connection();
  try {
    const db = await getDb();
    await db.execute(sql`select 1 from users limit 1`);
    return Response.json({ status: "ok" });
  } catch (error) {
    console.error(error);
    return Response.json(
      { status: "unavailable", error: { code: "unavailable", message: "The database is not ready." } },
      { status: 503 },
    );
  }
}
