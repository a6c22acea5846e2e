import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, type ExportFormat, exportPieces } from "../export-format";
import { activityJsonError } from "./error-response";
import { type ActivityRouteKit, tenantOf, viewerRoute } from "./route-kit";

const encoder = new TextEncoder();

/**
 * `GET /api/audit/export?format=csv|json|ndjson&<the audit log's filters>`: the filtered events as a
 * download, streamed batch by batch as the client reads, so the server's memory does not grow with the
 * number of events. Signed out 401; without `canAudit` 403; bad filters 400 before the download starts.
 *
 * `export const { GET } = createExportRoute(activity);`
 */
export function createExportRoute(kit: ActivityRouteKit) {
  return viewerRoute(kit, { audit: true }, async (request, viewer) => {
    const search = new URL(request.url).searchParams;
    const requested = search.get("format") ?? "csv";
    if (!(EXPORT_FORMATS as readonly string[]).includes(requested) || search.getAll("format").length > 1) {
      return activityJsonError("invalid_filter", `"format" must be one of ${EXPORT_FORMATS.join(", ")}.`, "format");
    }
    const format = requested as ExportFormat;
    search.delete("format");
    const tenant = tenantOf(viewer);
    const items = kit.exportItems(tenant, search);
    // The first batch is read before answering, so bad filters are a 400 and not a broken download.
    const first = await items.next();
    const day = new Date().toISOString().slice(0, 10);
    const name = ["activity", tenant, day]
      .filter(Boolean)
      .join("-")
      .replace(/[^A-Za-z0-9-]/g, "-");
    const pieces = exportPieces(format);
    let pending: string | null = pieces.header + (first.done ? "" : pieces.batch(first.value));
    let done = first.done === true;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (pending !== null) {
          controller.enqueue(encoder.encode(pending));
          pending = null;
          return;
        }
        const next = done ? undefined : await items.next();
        if (next && !next.done) {
          controller.enqueue(encoder.encode(pieces.batch(next.value)));
          return;
        }
        done = true;
        controller.enqueue(encoder.encode(pieces.footer));
        controller.close();
      },
      async cancel() {
        await items.return(undefined);
      },
    });
    return new Response(stream, {
      headers: {
        "Content-Type": EXPORT_CONTENT_TYPES[format],
        "Content-Disposition": `attachment; filename="${name}.${format}"`,
        "Cache-Control": "private, no-store",
      },
    });
  });
}
