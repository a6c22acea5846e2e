import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";

/**
 * A client of the app over plain node http, as browsers use it: server actions posted the way React's
 * client posts them (the `Next-Action` id of the build), the session cookie from signing in through the
 * login form's action, and Server-Sent Event streams each holding one socket of a keep-alive agent.
 */

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function createAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
}

export function request(
  agent: http.Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The build's server actions by exported name (the ids change with every build). */
export function actionIds(): Map<string, string> {
  const file = path.resolve(".next", "server", "server-reference-manifest.json");
  const node = (JSON.parse(readFileSync(file, "utf8")) as { node: Record<string, { exportedName?: string }> }).node;
  return new Map(Object.entries(node).map(([id, entry]) => [entry.exportedName ?? "", id]));
}

export interface ActionResult {
  ok: boolean;
  data?: { id?: number };
  error?: { code: string; message: string };
}

export interface ActionAnswer {
  status: number;
  result: ActionResult | null;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A `useActionState` form's call: multipart `_1_<field>` parts, then the argument list `[previous, $K1]`
 * last (the server resolves `$K1` from the parts before it).
 */
export async function callAction(
  agent: http.Agent,
  baseUrl: string,
  page: string,
  actionId: string,
  fields: Record<string, string>,
  cookie = "",
): Promise<ActionAnswer> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(`_1_${key}`, value);
  form.append("0", JSON.stringify([null, "$K1"]));
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  const answer = await request(agent, new URL(page, baseUrl).toString(), {
    method: "POST",
    headers: {
      "Next-Action": actionId,
      Accept: "text/x-component",
      "Content-Type": encoded.headers.get("content-type") ?? "",
      "Content-Length": String(body.length),
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body,
  });
  return { status: answer.status, result: actionResult(answer.body), headers: answer.headers, body: answer.body };
}

function actionResult(text: string): ActionResult | null {
  for (const line of text.split("\n")) {
    const json = line.match(/^[0-9a-f]+:(\{.*\})$/)?.[1];
    if (!json) continue;
    try {
      const value = JSON.parse(json) as ActionResult;
      if (value && typeof value === "object" && "ok" in value) return value;
    } catch {
      // a row of another kind
    }
  }
  return null;
}

/** Signs in through the login form's action; returns the session cookie header. */
export async function signIn(
  agent: http.Agent,
  baseUrl: string,
  ids: Map<string, string>,
  email: string,
  password: string,
): Promise<string> {
  const id = ids.get("signInAction");
  if (!id) throw new Error("no signInAction in the build");
  const answer = await callAction(agent, baseUrl, "/login", id, { email, password, callbackUrl: "/tasks" });
  const cookies = (answer.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!).filter((c) => !c.endsWith("="));
  if (!cookies.some((c) => c.includes("session-token"))) {
    throw new Error(`signing in as ${email} set no session cookie (${answer.status}): ${answer.body.slice(0, 300)}`);
  }
  return cookies.join("; ");
}

/** An activity event as the stream sends it: what the bench reads of it. */
export interface StreamedItem {
  id: string;
  seq: number;
  record: { type: string; id: string } | null;
}

export interface Stream {
  /** Resolves once the server said `: live` (the stream's replay is sent; live events follow). */
  ready: Promise<void>;
  /** Event id → when it arrived (performance.now()), first receipt. */
  received: Map<string, number>;
  /** Receipts of an event id already received. */
  doubled: number;
  resets: number;
  /** Set when the stream ended or failed before close(). */
  ended: string | null;
  close(): void;
}

/** Opens `/api/activity/stream` on a socket of its own and parses its frames as they come. */
export function openStream(agent: http.Agent, baseUrl: string, cookie: string): Stream {
  let onReady: () => void = () => {};
  let onFail: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  const stream: Stream = { ready, received: new Map(), doubled: 0, resets: 0, ended: null, close: () => {} };
  let closing = false;
  const req = http.get(
    new URL("/api/activity/stream", baseUrl),
    { agent, headers: { Cookie: cookie, Accept: "text/event-stream" } },
    (res) => {
      if (res.statusCode !== 200) {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => onFail(new Error(`stream answered ${res.statusCode}: ${text.slice(0, 200)}`)));
        return;
      }
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          if (block === ": live") onReady();
          else if (block.includes("event: reset")) stream.resets++;
          else if (block.includes("event: activity")) {
            const data = block.slice(block.indexOf("data: ") + 6);
            const item = JSON.parse(data) as StreamedItem;
            if (stream.received.has(item.id)) stream.doubled++;
            else stream.received.set(item.id, at);
          }
        }
      });
      res.on("end", () => {
        if (!closing) stream.ended = "the server ended the stream";
      });
    },
  );
  req.on("error", (error) => {
    if (closing) return;
    stream.ended = error.message;
    onFail(error);
  });
  stream.close = () => {
    closing = true;
    req.destroy();
  };
  return stream;
}
