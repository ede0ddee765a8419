package rw.intake.server.internal.upload;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.util.Map;
import java.util.regex.Pattern;
import rw.intake.server.internal.http.ApiException;
import rw.intake.server.internal.http.RequestBodies;
import rw.intake.storage.CommitMode;

/**
 * Query parameters shared by the listing routes, checked once: {@code page} from 1, {@code size} from 1 to 500. A
 * parameter given with no value ({@code ?size=}) is a 400 like any other value out of range, except on the legacy
 * routes, whose first version's walkthrough sent {@code ?page=&size=} for the defaults.
 */
public final class RequestParams {
    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;

    private static final Pattern ASCII_DIGITS = Pattern.compile("[0-9]+");

    private RequestParams() {}

    /** The {@code page} parameter, default 1. */
    public static int page(Context ctx) {
        return integer(ctx, "page", 1, 1, Integer.MAX_VALUE);
    }

    /** The {@code size} parameter, default 50. */
    public static int size(Context ctx) {
        return integer(ctx, "size", DEFAULT_SIZE, 1, MAX_SIZE);
    }

    /**
     * {@link #page} or {@link #size}, as {@code name} says, where the parameter given with no value is its default (the
     * legacy routes).
     */
    public static int legacy(Context ctx, String name) {
        boolean blank = blank(ctx, name);
        return switch (name) {
            case "page" -> blank ? 1 : page(ctx);
            case "size" -> blank ? DEFAULT_SIZE : size(ctx);
            default -> throw new IllegalArgumentException("not a paging parameter: " + name);
        };
    }

    private static boolean blank(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v != null && v.isBlank();
    }

    /**
     * A number of seconds to wait at most, from 0 to {@value UploadService#MAX_WAIT_SECONDS}; 0 when absent.
     */
    static int seconds(Context ctx, String name) {
        return integer(ctx, name, 0, 0, UploadService.MAX_WAIT_SECONDS);
    }

    /** An optional boolean parameter ({@code true}/{@code false}), null when absent. */
    public static Boolean bool(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if ("true".equalsIgnoreCase(v.strip())) {
            return Boolean.TRUE;
        }
        if ("false".equalsIgnoreCase(v.strip())) {
            return Boolean.FALSE;
        }
        throw invalid(name, name + " must be true or false");
    }

    /** Whether {@code v} is ASCII digits only: {@link Integer#parseInt} would also take a sign and every script's. */
    static boolean asciiDigits(String v) {
        return ASCII_DIGITS.matcher(v).matches();
    }

    /** A 400 {@code request.invalid_parameter} problem naming the parameter. */
    public static ApiException invalid(String name, String detail) {
        return new ApiException(
                400, "request.invalid_parameter", "Bad Request", detail, Map.of("parameter", name), Map.of());
    }

    private static int integer(Context ctx, String name, int def, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return def;
        }
        // ASCII digits and nothing around them, as a row number in the path
        if (asciiDigits(v)) {
            try {
                int n = Integer.parseInt(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ex) {
                // past an int: answered below
            }
        }
        throw invalid(name, name + " must be a whole number from " + min + " to " + max + ": " + v);
    }

    /**
     * The optional body {@code {"records":"all"|"valid"}}; an empty body, or {@code {}}, means all. Any other member, or
     * another value (null too), is a 400: a commit cannot be undone, so a misspelt choice is not taken for the default.
     * The legacy commit reads its body so too.
     */
    public static CommitMode commitMode(Context ctx) {
        JsonNode node = RequestBodies.json(ctx);
        if (node == null) {
            return CommitMode.ALL;
        }
        if (node.isMissingNode()) {
            // not empty, and no JSON: read strictly, as a commit cannot be undone
            throw ApiException.badRequest(
                    "request.invalid_body",
                    "the body holds white space only: send it empty, {} or {\"records\":\"all\"|\"valid\"}");
        }
        if (!node.isObject()) {
            throw ApiException.badRequest(
                    "request.invalid_body", "the body must be a JSON object like {\"records\":\"valid\"}, or empty");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getKey().equals("records")) {
                throw ApiException.badRequest(
                        "request.invalid_body",
                        "unknown property '" + e.getKey()
                                + "': the body is {\"records\":\"all\"} or {\"records\":\"valid\"}");
            }
        }
        JsonNode records = node.get("records");
        if (records == null) {
            return CommitMode.ALL;
        }
        if (!records.isTextual()) {
            throw invalid("records", "records must be \"all\" or \"valid\"");
        }
        return switch (records.asText()) {
            case "all" -> CommitMode.ALL;
            case "valid" -> CommitMode.VALID;
            default -> throw invalid("records", "records must be \"all\" or \"valid\"");
        };
    }
}
