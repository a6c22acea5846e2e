import { describe, expect, it } from "vitest";
import { checkCoverage } from "@/lib/activity/coverage";
import { trackedTables } from "@/lib/activity-kit";
import { setupTestDb } from "@/test/db";

const t = setupTestDb();

describe("the app's registrations", () => {
  it("have their capture triggers installed by the committed migrations", async () => {
    expect(await checkCoverage(t.db, trackedTables)).toEqual([]);
  });
});
