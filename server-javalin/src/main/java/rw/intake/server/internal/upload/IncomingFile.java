package rw.intake.server.internal.upload;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Attributes;
import rw.intake.excel.IngestException;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.http.RequestBodies;

/**
 * A workbook received in a request, held in memory only: read from the request's input stream with a bound, never
 * through the servlet's multipart support (which spools large parts to disk). A multipart body is parsed from those
 * bounded bytes by Jetty's {@link MultiPartFormData}, configured to keep every part in memory.
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
    /** The most parts a multipart body may have (the workbook and a few form fields). */
    static final int MAX_PARTS = 100;

    /** The boundary parameter's name, in any case, after a {@code ;}. */
    private static final Pattern BOUNDARY_NAME = Pattern.compile("(?i)(;\\s*)boundary(\\s*=)");
    /**
     * A part's {@code filename*} (RFC 6266, 4.3; RFC 8187): a charset, a language (possibly empty), and the name's
     * bytes percent-encoded.
     */
    private static final Pattern EXTENDED_NAME =
            Pattern.compile("(?i)(?:^|;)\\s*filename\\*\\s*=\\s*([A-Za-z0-9!#$&+^_`{}~-]+)'[A-Za-z0-9-]*'([^;\\s]*)");
    /** The transfer encodings that leave a part's bytes as they are. */
    private static final Set<String> IDENTITY_ENCODINGS = Set.of("7bit", "8bit", "binary");

    static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    static final String CSV = "text/csv";

    /**
     * Reads the workbook of a request: part {@code partName} of a multipart body, or the whole body when it has the
     * .xlsx content type, {@code text/csv} or {@code application/octet-stream}. Whether the bytes are a workbook or
     * CSV is decided by excel-ingest from their content, not from these types or the file name.
     *
     * @throws ApiException 413 {@code file.too_large} past {@code maxBytes} (the rest of the body is read and dropped),
     *                      400 {@code request.missing_file}, 415 {@code request.unsupported_media_type}
     */
    public static IncomingFile read(Context ctx, String partName, long maxBytes) {
        // the header as sent: the request's parsed content type refuses a charset it does not know (charset=binary)
        // a parameter's name is case-insensitive (RFC 9110, 5.6.6): "Boundary=" names the boundary too
        String type = BOUNDARY_NAME
                .matcher(Objects.requireNonNullElse(ctx.header("Content-Type"), ""))
                .replaceAll("$1boundary$2");
        String mime = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (mime.equals("multipart/form-data")) {
            String boundary = MultiPart.extractBoundary(type);
            if (boundary == null || boundary.isEmpty()) {
                throw ApiException.badRequest("request.invalid_multipart", "the multipart body has no boundary");
            }
            byte[] body = readBounded(ctx, maxBytes + MULTIPART_OVERHEAD, maxBytes);
            IncomingFile file = part(body, type, partName);
            if (file == null) {
                throw ApiException.badRequest(
                        "request.missing_file",
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
        throw new ApiException(
                415,
                "request.unsupported_media_type",
                "Unsupported Media Type",
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
        return UploadService.problem(new IngestException(
                IngestException.TOO_LARGE,
                "The file is larger than " + maxBytes + " bytes, the largest file accepted.",
                Map.of("limit", maxBytes, "limitName", "maxBytes")));
    }

    private static byte[] readBounded(Context ctx, long limit, long maxBytes) {
        return RequestBodies.read(ctx, limit, () -> tooLarge(maxBytes));
    }

    /**
     * Part {@code wanted} of a multipart/form-data body held in memory, parsed by Jetty's
     * {@link MultiPartFormData} (RFC 7578: quoted and escaped parameters, {@code filename*=}). Every part stays in
     * memory: the memory threshold is {@code -1} ("never write a part to disk") and no files directory is given. The
     * parts are slices of {@code body}; only the wanted part is copied out of it.
     *
     * @return the part, or null if there is none of that name
     * @throws ApiException 400 {@code request.invalid_multipart}, {@code request.duplicate_file}
     */
    static IncomingFile part(byte[] body, String contentType, String wanted) {
        MultiPartConfig config = new MultiPartConfig.Builder()
                .maxMemoryPartSize(-1)
                .useFilesForPartsWithoutFileName(false)
                .maxSize(body.length)
                .maxPartSize(-1)
                .maxHeadersSize(MULTIPART_OVERHEAD)
                .maxParts(MAX_PARTS)
                .build();
        MultiPartFormData.Parts parts;
        try {
            parts = MultiPartFormData.getParts(
                    Content.Source.from(ByteBuffer.wrap(body)), new Attributes.Mapped(), contentType, config);
        } catch (CompletionException ex) {
            // Jetty's own words name its classes and limits; the client is told what is wrong in the body's terms
            Throwable cause = ex.getCause() == null ? ex : ex.getCause();
            String message = String.valueOf(cause.getMessage());
            throw ApiException.badRequest(
                    "request.invalid_multipart",
                    message.contains("too many")
                            ? "the multipart body has more than " + MAX_PARTS + " parts; send the file alone"
                            : "the multipart body is malformed (its boundary, a part's headers or its framing)");
        }
        try (parts) {
            MultiPart.Part found = null;
            for (MultiPart.Part p : parts) {
                if (wanted.equals(p.getName())) {
                    if (found != null) {
                        throw ApiException.badRequest(
                                "request.duplicate_file",
                                "the multipart body has more than one part named '" + wanted + "'; send one file");
                    }
                    found = p;
                }
            }
            if (found == null) {
                return null;
            }
            String encoding = found.getHeaders().get("Content-Transfer-Encoding");
            if (encoding != null
                    && !IDENTITY_ENCODINGS.contains(encoding.strip().toLowerCase(Locale.ROOT))) {
                // RFC 7578 (4.7) deprecates it, and browsers never send it: its bytes would be read as the file
                throw ApiException.badRequest(
                        "request.invalid_multipart",
                        "the part '" + wanted + "' is sent with Content-Transfer-Encoding " + encoding.strip()
                                + ", which the server does not decode; send the file's bytes as they are");
            }
            return new IncomingFile(fileName(found), bytes(found));
        }
    }

    /** The part's file name: its {@code filename*} when it has one that decodes (whatever its language), else Jetty's. */
    private static String fileName(MultiPart.Part part) {
        String disposition = part.getHeaders().get("Content-Disposition");
        Matcher m = disposition == null ? null : EXTENDED_NAME.matcher(disposition);
        if (m != null && m.find()) {
            try {
                return URLDecoder.decode(m.group(2).replace("+", "%2B"), Charset.forName(m.group(1)));
            } catch (IllegalArgumentException ex) {
                // an unknown charset or a broken escape: the plain name, as Jetty reads it
            }
        }
        return part.getFileName();
    }

    /** The content of a part held in memory, copied into an array of its length. */
    private static byte[] bytes(MultiPart.Part part) {
        byte[] out = new byte[Math.toIntExact(part.getLength())];
        try (InputStream in = Content.Source.asInputStream(part.getContentSource())) {
            if (in.readNBytes(out, 0, out.length) != out.length) {
                throw new IllegalStateException("a multipart part is shorter than its length");
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("reading a multipart part held in memory failed", ex);
        }
        return out;
    }
}
