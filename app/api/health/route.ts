import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

/** 200 once the database is open and migrated; 503 with the reason otherwise. */
export async function GET() {
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
