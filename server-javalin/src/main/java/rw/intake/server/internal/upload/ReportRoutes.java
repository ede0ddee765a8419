package rw.intake.server.internal.upload;

import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;
import rw.intake.server.internal.auth.Principal;

/**
 * The error report routes, {@code GET /api/v1/uploads/{id}/report.xlsx} and {@code .../report.csv}, with
 * {@code status=invalid} (the default: records with an error) or {@code status=all}. Everything that can refuse the
 * request (the status, the upload, its state) is checked before the first byte is sent; then the report streams, the
 * upload held from expiring meanwhile.
 */
final class ReportRoutes {
    private final UploadService service;

    ReportRoutes(UploadService service) {
        this.service = service;
    }

    void xlsx(Context ctx) throws IOException {
        ErrorReport report = report(ctx);
        attachment(ctx, report, XlsxReport.CONTENT_TYPE, ".xlsx");
        ctx.disableCompression(); // the workbook is a zip already
        StagingStore.Hold streaming = service.hold(ctx.pathParam("id"));
        try {
            XlsxReport.write(report, ctx.outputStream());
        } finally {
            streaming.release();
        }
    }

    void csv(Context ctx) throws IOException {
        ErrorReport report = report(ctx);
        attachment(ctx, report, CsvReport.CONTENT_TYPE, ".csv");
        StagingStore.Hold streaming = service.hold(ctx.pathParam("id"));
        try {
            CsvReport.write(report, ctx.outputStream());
        } finally {
            streaming.release();
        }
    }

    private ErrorReport report(Context ctx) {
        Principal caller = Principal.of(ctx);
        String status = ctx.queryParam("status");
        String s =
                status == null || status.isBlank() ? "invalid" : status.strip().toLowerCase(Locale.ROOT);
        if (!"invalid".equals(s) && !"all".equals(s)) {
            throw RequestParams.invalid("status", "status must be invalid or all");
        }
        return service.report(caller, ctx.pathParam("id"), "invalid".equals(s));
    }

    private static void attachment(Context ctx, ErrorReport report, String contentType, String extension) {
        if ("HTTP/1.1".equals(ctx.req().getProtocol())) {
            // chunked also on a connection the client asked to close: a download cut short (the idle timeout ends one
            // whose client stopped reading) then lacks its last chunk, where an end at the close would look whole
            ctx.header("Transfer-Encoding", "chunked");
        }
        ctx.contentType(contentType);
        ctx.header("Content-Disposition", report.contentDisposition(extension));
        ctx.header("Cache-Control", "no-store");
    }
}
