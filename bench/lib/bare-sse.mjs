// The baseline of the HTTP bench's streams: Server-Sent Events on plain node:http, no Next, no kit, no
// database. `GET /api/activity/stream` holds the response open (and says `: live` at once); `POST /event`
// with an item's JSON answers, then writes the item as one frame to every open stream; `GET /api/health` answers
// "ok". What it costs to fan a frame out to thousands of sockets on this machine, and nothing else: the
// figure a stream route cannot beat. Started by bench/http.ts as its own process (node bench/lib/bare-sse.mjs);
// it prints the port it listens on.
import http from "node:http";

const streams = new Set();
let seq = 0;

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/api/activity/stream") {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
    });
    res.write("retry: 2000\n: connected\n\n: live\n\n");
    streams.add(res);
    req.on("close", () => streams.delete(res));
    return;
  }
  if (req.method === "POST" && req.url === "/event") {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      seq++;
      const frame = Buffer.from(`id: ${seq}\nevent: activity\ndata: ${body}\n\n`);
      // Answered first, as the app answers once the transaction committed and the event reaches the
      // streams after: the bench times delivery from the answer.
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok", () => {
        for (const stream of streams) stream.write(frame);
      });
    });
    return;
  }
  if (req.method === "GET" && req.url === "/api/health") {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    return;
  }
  res.writeHead(404).end();
});

server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on("SIGTERM", () => {
  for (const stream of streams) stream.destroy();
  server.close(() => process.exit(0));
});
