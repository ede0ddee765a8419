package rw.intake.excel.internal;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import rw.intake.excel.SheetHeader;
import rw.intake.validation.Field;
import rw.intake.validation.Text;

/**
 * Finds the header among a sheet's first rows and maps it to the five fields through the synonyms of
 * VALIDATION-RULES.md. A row is given as its cells' texts, index = 0-based column; the same rules serve a worksheet
 * and a CSV file.
 */
public final class HeaderMapper {

    /** The header is looked for among the rows numbered up to this one. */
    public static final int SEARCH_ROWS = 20;
    /** A row is the header when it maps at least this many of the five fields. */
    public static final int MIN_FIELDS = 3;
    /**
     * The most columns a row may hold, a spreadsheet's width (A to XFD): a row with a value past it is no list's, and
     * its header would list every column past the five as ignored.
     */
    public static final int MAX_COLUMNS = 16_384;

    /** The header names each field is known by, as VALIDATION-RULES.md lists them. */
    private static final Map<Field, List<String>> ACCEPTED = accepted();

    private static final Map<String, Field> SYNONYMS = synonyms();

    /** The rows of a sheet, in order, for the header search. */
    public interface Rows<R> {
        /** The next row, or null at the end. */
        R next();

        /** The row's number as a person finds it (the spreadsheet row, the file's line). */
        int rowNum(R row);

        /** The row's cell texts, trimmed, index = 0-based column. */
        List<String> texts(R row);
    }

    private HeaderMapper() {}

    private static Map<Field, List<String>> accepted() {
        Map<Field, List<String>> m = new EnumMap<>(Field.class);
        m.put(Field.NAMES, List.of("names", "name", "full name", "full names"));
        m.put(Field.NID, List.of("nid", "national id", "national id number", "id number"));
        m.put(
                Field.PHONE_NUMBER,
                List.of("phone number", "phone", "phone no", "tel", "mobile", "mobile number", "telephone", "msisdn"));
        m.put(Field.GENDER, List.of("gender", "sex"));
        m.put(Field.EMAIL, List.of("email", "e-mail", "email address"));
        return m;
    }

    /** Every header name, as compared ({@link #key}), with its field; the canonical keys too. */
    private static Map<String, Field> synonyms() {
        Map<String, Field> m = new HashMap<>();
        ACCEPTED.forEach((field, names) -> {
            for (String name : names) {
                m.put(key(name), field);
            }
            m.put(key(field.key()), field);
        });
        return Map.copyOf(m);
    }

    /** The header names {@code field} is known by, as VALIDATION-RULES.md lists them (case and spacing aside). */
    public static List<String> acceptedNames(Field field) {
        return ACCEPTED.get(field);
    }

    /**
     * The header text as compared: lower case, without spaces, underscores, hyphens and dashes of any kind (Unicode's
     * Pd: {@code -}, U+2010, the no-break hyphen U+2011, en and em dashes), dots, invisible format characters
     * (a zero-width space, a byte order mark, a soft hyphen, a direction mark: Unicode's Cf, which a header copied from
     * a web page or a file joined to another can carry unseen) and a trailing colon.
     */
    static String key(String header) {
        String trimmed = CellValues.trim(header);
        StringBuilder sb = new StringBuilder(trimmed.length());
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            int type = Character.getType(c);
            if (!Text.isSpace(c)
                    && c != '_'
                    && c != '.'
                    && type != Character.DASH_PUNCTUATION
                    && type != Character.FORMAT) {
                sb.append(c);
            }
        }
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) == ':') {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** The field a header names, or null. */
    public static Field fieldOf(String header) {
        return SYNONYMS.get(key(header));
    }

    /**
     * Finds and maps the header: the first row numbered up to {@value #SEARCH_ROWS} that maps at least
     * {@value #MIN_FIELDS} fields; rows above it are not data. If there is none, the first non-blank row is the header
     * (and is refused for what it lacks). Reads {@code rows} up to and including the header.
     *
     * @throws rw.intake.excel.IngestException {@code file.empty} (no non-blank row), {@code file.duplicate_columns}
     *                                         or {@code file.missing_columns}; {@code file.too_large} for a row with
     *                                         a value past {@link #MAX_COLUMNS}
     */
    public static <R> SheetHeader find(Rows<R> rows, String sheet) {
        int firstRow = 0;
        List<String> first = null;
        for (R row = rows.next(); row != null; row = rows.next()) {
            int rowNum = rows.rowNum(row);
            if (rowNum > SEARCH_ROWS && first != null) {
                break;
            }
            List<String> texts = rows.texts(row);
            if (isBlank(texts)) {
                continue;
            }
            for (int c = MAX_COLUMNS; c < texts.size(); c++) {
                if (!texts.get(c).isEmpty()) {
                    throw Rejections.tooManyColumns(rowNum, MAX_COLUMNS);
                }
            }
            if (rowNum > SEARCH_ROWS || fieldCount(texts) >= MIN_FIELDS) {
                return map(rowNum, texts, sheet);
            }
            if (first == null) {
                firstRow = rowNum;
                first = texts;
            }
        }
        if (first == null) {
            throw Rejections.noHeader(sheet);
        }
        return map(firstRow, first, sheet);
    }

    private static boolean isBlank(List<String> texts) {
        for (String t : texts) {
            if (!t.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** How many distinct fields the texts map to. */
    static int fieldCount(List<String> texts) {
        Set<Field> fields = EnumSet.noneOf(Field.class);
        for (String t : texts) {
            Field f = t.isEmpty() ? null : fieldOf(t);
            if (f != null) {
                fields.add(f);
            }
        }
        return fields.size();
    }

    /**
     * Maps the header row.
     *
     * @throws rw.intake.excel.IngestException {@code file.duplicate_columns} or {@code file.missing_columns}
     */
    static SheetHeader map(int rowNum, List<String> texts, String sheet) {
        Map<Field, Integer> columns = new EnumMap<>(Field.class);
        Map<Field, String> headerOf = new EnumMap<>(Field.class);
        List<String> found = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (int c = 0; c < texts.size(); c++) {
            String text = texts.get(c);
            if (text.isEmpty()) {
                continue;
            }
            found.add(text);
            Field field = fieldOf(text);
            if (field == null) {
                ignored.add(text);
            } else if (columns.containsKey(field)) {
                throw Rejections.duplicateColumns(
                        sheet,
                        rowNum,
                        field.key(),
                        List.of(quote(headerOf.get(field), columns.get(field)), quote(text, c)));
            } else {
                columns.put(field, c);
                headerOf.put(field, text);
            }
        }
        List<Field> missing = new ArrayList<>();
        for (Field f : Field.values()) {
            if (!columns.containsKey(f)) {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            throw Rejections.missingColumns(sheet, rowNum, missing, found);
        }
        return new SheetHeader(rowNum, sheet, columns, found, ignored);
    }

    private static String quote(String header, int column) {
        return "\"" + header + "\" (column " + columnName(column) + ")";
    }

    /** Spreadsheet column letters of a 0-based index: 0 is A, 26 is AA. */
    static String columnName(int column) {
        StringBuilder sb = new StringBuilder();
        for (int c = column + 1; c > 0; c = (c - 1) / 26) {
            sb.insert(0, (char) ('A' + (c - 1) % 26));
        }
        return sb.toString();
    }
}
