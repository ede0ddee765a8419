package rw.intake.server.internal.upload;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import rw.intake.excel.IngestException;
import rw.intake.server.internal.http.ApiException;

/**
 * A workbook received in a request, held in memory only: read from the request's input stream with a bound, never
 * through Jetty's multipart support (which spools large parts to disk). A multipart body is parsed here, from the
 * bounded bytes.
 *
 * @param fileName the name the client gave, or empty; control characters are dropped and a name longer than
 *                 {@value #MAX_FILE_NAME} characters is cut to that length, keeping its extension (so that every name
 *                 accepted fits the database)
 * @param bytes    the workbook
 */
public record IncomingFile(String fileName, byte[] bytes) {

    /** The longest file name kept, in characters (the database column holds 1,000). */
    public static final int MAX_FILE_NAME = 255;
    /** The longest extension kept when a name is cut (with its dot). */
    static final int MAX_EXTENSION = 16;

    public IncomingFile {
        fileName = boundedName(fileName);
    }

    /** Room for the multipart framing (boundaries, part headers, small form fields) beyond the file itself. */
    static final int MULTIPART_OVERHEAD = 64 * 1024;
    static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    static final String CSV = "text/csv";
    /** A body up to this many times the limit is read to its end (and dropped) before the 413 goes out. */
    static final long DRAIN_FACTOR = 4;

    /**
     * Reads the workbook of a request: part {@code partName} of a multipart body, or the whole body when it has the
     * .xlsx content type, {@code text/csv} or {@code application/octet-stream}. Whether the bytes are a workbook or
     * CSV is decided by excel-ingest from their content, not from these types or the file name.
     *
     * @throws ApiException 413 {@code file.too_large} past {@code maxBytes} (the rest of the body is read and dropped),
     *                      400 {@code request.missing_file}, 415 {@code request.unsupported_media_type}
     */
    public static IncomingFile read(Context ctx, String partName, long maxBytes) {
        String type = ctx.contentType() == null ? "" : ctx.contentType();
        String mime = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (mime.equals("multipart/form-data")) {
            String boundary = parameter(type, "boundary");
            if (boundary == null || boundary.isEmpty()) {
                throw ApiException.badRequest("request.invalid_multipart", "the multipart body has no boundary");
            }
            byte[] body = readBounded(ctx, maxBytes + MULTIPART_OVERHEAD, maxBytes);
            IncomingFile file = Multipart.part(body, boundary, partName);
            if (file == null) {
                throw ApiException.badRequest("request.missing_file",
                        "the multipart body has no part named '" + partName + "' holding the workbook");
            }
            if (file.bytes.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return file;
        }
        if (mime.equals(XLSX) || mime.equals(CSV) || mime.equals("application/octet-stream")) {
            String name = ctx.queryParam("fileName");
            return new IncomingFile(name == null ? "" : name.strip(), readBounded(ctx, maxBytes, maxBytes));
        }
        throw new ApiException(415, "request.unsupported_media_type", "Unsupported Media Type",
                "send the workbook as multipart/form-data (part '" + partName + "') or as the body with content type "
                        + XLSX + " (or " + CSV + " for a CSV file)");
    }

    /**
     * The name without control characters, cut to {@value #MAX_FILE_NAME} characters keeping its extension (the
     * last dot and up to {@value #MAX_EXTENSION} characters after it) and never inside a surrogate pair.
     */
    static String boundedName(String name) {
        if (name == null) {
            return "";
        }
        StringBuilder clean = new StringBuilder(Math.min(name.length(), 4 * MAX_FILE_NAME));
        name.codePoints().filter(cp -> !Character.isISOControl(cp)).forEach(clean::appendCodePoint);
        String n = clean.toString().strip();
        if (n.length() <= MAX_FILE_NAME) {
            return n;
        }
        int dot = n.lastIndexOf('.');
        String extension = dot >= 0 && n.length() - dot <= MAX_EXTENSION ? n.substring(dot) : "";
        int keep = MAX_FILE_NAME - extension.length();
        if (Character.isHighSurrogate(n.charAt(keep - 1))) {
            keep--;
        }
        return n.substring(0, keep) + extension;
    }

    /** A body over the byte limit: excel-ingest's {@code file.too_large}, answered like its own refusals (413). */
    static ApiException tooLarge(long maxBytes) {
        return UploadService.problem(new IngestException(IngestException.TOO_LARGE,
                "The file is larger than " + maxBytes + " bytes, the largest file accepted.",
                Map.of("limit", maxBytes, "limitName", "maxBytes")));
    }

    private static byte[] readBounded(Context ctx, long limit, long maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        try {
            InputStream in = ctx.req().getInputStream();
            if (declared > limit) {
                throw drainedTooLarge(in, limit, maxBytes);
            }
            int cap = (int) Math.min(limit + 1, Integer.MAX_VALUE - 16);
            byte[] buf = new byte[(int) Math.min(cap, declared >= 0 ? declared + 1 : 1 << 16)];
            int size = 0;
            while (true) {
                if (size == buf.length) {
                    if (buf.length >= cap) {
                        throw drainedTooLarge(in, limit, maxBytes);
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(cap, (long) buf.length * 2));
                }
                int n = in.read(buf, size, buf.length - size);
                if (n < 0) {
                    break;
                }
                size += n;
            }
            if (size > limit) {
                throw tooLarge(maxBytes);
            }
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        } catch (IOException ex) {
            throw new UncheckedIOException("reading the request body failed", ex);
        }
    }

    /**
     * The 413 for a body over the limit, once the rest of the body has been read and thrown away (nothing is kept),
     * up to {@link #DRAIN_FACTOR} times the limit: answering while the client still sends makes the server close the
     * connection under it, and the client may then lose the answer (a reset) or reuse the closed connection. A larger
     * body is not read further; the connection is closed.
     */
    private static ApiException drainedTooLarge(InputStream in, long limit, long maxBytes) throws IOException {
        byte[] scratch = new byte[64 * 1024];
        long budget = DRAIN_FACTOR * limit;
        long read = 0;
        int n;
        while (read <= budget && (n = in.read(scratch)) >= 0) {
            read += n;
        }
        return tooLarge(maxBytes);
    }

    /** A parameter of a header value ({@code boundary=...}, {@code name="..."}), unquoted; null if absent. */
    static String parameter(String header, String name) {
        for (String part : header.split(";")) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String v = p.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v;
            }
        }
        return null;
    }

    /** A minimal multipart/form-data parser over bytes in memory (RFC 7578). */
    static final class Multipart {
        private Multipart() {
        }

        static IncomingFile part(byte[] body, String boundary, String wanted) {
            byte[] dash = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            int at = indexOf(body, dash, 0);
            if (at < 0) {
                throw ApiException.badRequest("request.invalid_multipart", "the multipart body has no boundary line");
            }
            int pos = at + dash.length;
            IncomingFile found = null;
            while (true) {
                if (pos + 1 < body.length && body[pos] == '-' && body[pos + 1] == '-') {
                    return found;
                }
                int lineEnd = indexOf(body, new byte[] {'\r', '\n'}, pos);
                int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, pos);
                if (lineEnd < 0 || headersEnd < 0) {
                    throw ApiException.badRequest("request.invalid_multipart", "a multipart part is cut short");
                }
                String headers = new String(body, lineEnd + 2, Math.max(0, headersEnd - lineEnd - 2),
                        StandardCharsets.UTF_8);
                int start = headersEnd + 4;
                int end = indexOf(body, delimiter, start);
                if (end < 0) {
                    throw ApiException.badRequest("request.invalid_multipart", "the multipart body has no closing boundary");
                }
                String disposition = null;
                for (String line : headers.split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("Content-Disposition")) {
                        disposition = line.substring(colon + 1);
                    }
                }
                if (disposition != null && wanted.equals(parameter(disposition, "name"))) {
                    if (found != null) {
                        throw ApiException.badRequest("request.duplicate_file",
                                "the multipart body has more than one part named '" + wanted + "'; send one file");
                    }
                    String fileName = parameter(disposition, "filename");
                    found = new IncomingFile(fileName == null ? "" : fileName, Arrays.copyOfRange(body, start, end));
                }
                pos = end + delimiter.length;
            }
        }

        private static int indexOf(byte[] haystack, byte[] needle, int from) {
            byte first = needle[0];
            int last = haystack.length - needle.length;
            for (int i = Math.max(from, 0); i <= last; i++) {
                if (haystack[i] != first) {
                    continue;
                }
                int j = 1;
                while (j < needle.length && haystack[i + j] == needle[j]) {
                    j++;
                }
                if (j == needle.length) {
                    return i;
                }
            }
            return -1;
        }
    }
}
