import { readFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";

interface ManifestEntry {
  exportedName?: string;
  filename?: string;
}

function manifest(): Record<string, ManifestEntry> {
  const file = path.resolve(".next", "server", "server-reference-manifest.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { node: Record<string, ManifestEntry> }).node;
}

/** Every server action of the build, inline ones included: what a hand-made client can call. */
export function builtActionList(): { id: string; name: string; file: string }[] {
  return Object.entries(manifest()).map(([id, entry]) => ({
    id,
    name: entry.exportedName ?? "",
    file: entry.filename ?? "",
  }));
}

export function actionId(name: string): string {
  const id = builtActionList().find((a) => a.name === name)?.id;
  if (!id) throw new Error(`no server action named ${name} in the build`);
  return id;
}

export interface ActionAnswer {
  status: number;
  /** The action's returned value (an action result), when the answer carried one. */
  result: { ok: boolean; error?: { code: string; message: string; fieldErrors?: Record<string, string[]> } } | null;
  /** Where the action redirected the browser (a successful delete, a workspace switch, sign-out). */
  redirect: string | null;
  text: string;
}

/**
 * Calls a server action over HTTP the way React's client does for a `useActionState` form: a multipart
 * body whose `_1_<name>` parts are the form's fields and whose last part, `0`, is the argument list
 * `[previousState, $K1]`. Real HTTP against `next start` rather than an import with a mocked session: the session cookie,
 * Next's action decoding and the body limit are part of what is attacked.
 */
export async function callAction(
  request: APIRequestContext,
  name: string,
  fields: Record<string, string>,
): Promise<ActionAnswer> {
  // A FormData, not an object: an object would list the key "0" first, and the argument list must come
  // last, as React sends it: the server resolves `$K1` from the parts before it.
  const multipart = new FormData();
  for (const [key, value] of Object.entries(fields)) multipart.append(`_1_${key}`, value);
  multipart.append("0", JSON.stringify([null, "$K1"]));
  const response = await request.post("/tasks", {
    headers: { "Next-Action": actionId(name), Accept: "text/x-component" },
    multipart,
    failOnStatusCode: false,
    maxRedirects: 0,
  });
  const text = await response.text();
  return {
    status: response.status(),
    result: actionResult(text),
    redirect: response.headers()["x-action-redirect"] ?? null,
    text,
  };
}

/** The action's return value in an RSC answer: the row whose JSON is an action result. */
function actionResult(text: string): ActionAnswer["result"] {
  for (const line of text.split("\n")) {
    const json = line.match(/^[0-9a-f]+:(\{.*\})$/)?.[1];
    if (!json) continue;
    try {
      const value = JSON.parse(json) as ActionAnswer["result"];
      if (value && typeof value === "object" && "ok" in value) return value;
    } catch {
      // a row that is not plain JSON (a model of another kind)
    }
  }
  return null;
}
