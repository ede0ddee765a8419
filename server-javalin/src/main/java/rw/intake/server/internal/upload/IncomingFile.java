package rw.intake.server.internal.upload;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    /** A {@code filename*} value (RFC 8187): a charset, a language (possibly empty), the name's bytes percent-encoded. */
    private static final Pattern EXTENDED_VALUE =
            Pattern.compile("(?i)(UTF-8|ISO-8859-1)'[A-Za-z0-9-]*'((?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-Fa-f]{2})*)");
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
            for (String encoding : found.getHeaders().getValuesList("Content-Transfer-Encoding")) {
                if (!IDENTITY_ENCODINGS.contains(encoding.strip().toLowerCase(Locale.ROOT))) {
                    // RFC 7578 (4.7) deprecates it, and browsers never send it: its bytes would be read as the file
                    throw ApiException.badRequest(
                            "request.invalid_multipart",
                            "the part '" + wanted + "' is sent with Content-Transfer-Encoding " + encoding.strip()
                                    + ", which the server does not decode; send the file's bytes as they are");
                }
            }
            return new IncomingFile(fileName(found), bytes(found));
        }
    }

    /**
     * The part's file name: its {@code filename*} when it has one in UTF-8 or ISO-8859-1 that decodes (whatever its
     * language), else its {@code filename} (Jetty's reading of it when there is no {@code filename*}).
     */
    private static String fileName(MultiPart.Part part) {
        String disposition = part.getHeaders().get("Content-Disposition");
        String extended = disposition == null ? null : extendedName(disposition);
        if (extended == null) {
            return part.getFileName();
        }
        return extended.isEmpty() ? plainName(disposition) : extended;
    }

    /**
     * The decoded {@code filename*} parameter of a Content-Disposition; null if it has none (a {@code filename*=}
     * inside a quoted value is no parameter), empty if it is of another charset, has a broken escape or bytes that are
     * not of its charset.
     */
    static String extendedName(String disposition) {
        for (String p : parameters(disposition)) {
            int eq = p.indexOf('=');
            if (eq >= 0 && p.substring(0, eq).strip().equalsIgnoreCase("filename*")) {
                return decoded(p.substring(eq + 1).strip());
            }
        }
        return null;
    }

    /** The plain {@code filename} parameter, unquoted and without a path before it (as old browsers send), or "". */
    private static String plainName(String disposition) {
        for (String p : parameters(disposition)) {
            int eq = p.indexOf('=');
            if (eq >= 0 && p.substring(0, eq).strip().equalsIgnoreCase("filename")) {
                String v = p.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1).replace("\\\"", "\"");
                }
                return v.substring(Math.max(v.lastIndexOf('/'), v.lastIndexOf('\\')) + 1);
            }
        }
        return "";
    }

    /** The parameters of a header value, split at each {@code ;} outside a quoted string. */
    private static List<String> parameters(String disposition) {
        List<String> params = new ArrayList<>();
        StringBuilder param = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < disposition.length(); i++) {
            char c = disposition.charAt(i);
            if (quoted && c == '\\' && i + 1 < disposition.length()) {
                param.append(c).append(disposition.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                params.add(param.toString());
                param.setLength(0);
                continue;
            }
            param.append(c);
        }
        params.add(param.toString());
        return params;
    }

    /** A {@code filename*} value decoded, or "" if it is of another charset, or broken. */
    private static String decoded(String value) {
        Matcher m = EXTENDED_VALUE.matcher(value);
        if (!m.matches()) {
            return "";
        }
        Charset charset = m.group(1).equalsIgnoreCase("UTF-8") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        String encoded = m.group(2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException ex) {
            return "";
        }
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
