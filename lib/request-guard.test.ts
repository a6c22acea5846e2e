import { describe, expect, it } from "vitest";
import { ACTION_BODY_LIMIT_BYTES, refuseRequest } from "./request-guard";

const post = (path: string, length: number) =>
  new Request(`http://app.test${path}`, { method: "POST", headers: { "content-length": String(length) } });

describe("requests refused before Next parses them", () => {
  it("answers 413 for a server action's body over the limit, and lets one at the limit through", async () => {
    const refused = refuseRequest(post("/tasks/1", ACTION_BODY_LIMIT_BYTES + 1));
    expect(refused?.status).toBe(413);
    expect((await refused!.json()).error.code).toBe("too_large");
    expect(refuseRequest(post("/tasks/1", ACTION_BODY_LIMIT_BYTES))).toBeNull();
    expect(refuseRequest(new Request("http://app.test/tasks", { method: "POST" }))).toBeNull();
  });

  it.each(["/api/activity", "/api/activity/stream", "/api/audit", "/api/audit/export"])(
    "refuses __proto__ and other object properties as parameters of %s",
    async (path) => {
      for (const key of ["__proto__", "constructor", "toString"]) {
        const refused = refuseRequest(new Request(`http://app.test${path}?limit=5&${key}=1`));
        expect(refused?.status).toBe(400);
        expect((await refused!.json()).error).toMatchObject({ code: "invalid_filter", parameter: key });
      }
      expect(refuseRequest(new Request(`http://app.test${path}?limit=5&action=insert`))).toBeNull();
    },
  );
});
