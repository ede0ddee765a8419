package rw.intake.excel.internal;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dhatim.fastexcel.reader.Row;
import rw.intake.excel.SheetHeader;
import rw.intake.validation.Field;
import rw.intake.validation.Text;

/** Maps a header row to the five fields through the synonyms of VALIDATION-RULES.md. */
public final class HeaderMapper {

    private static final Map<String, Field> SYNONYMS = synonyms();

    private HeaderMapper() {
    }

    private static Map<String, Field> synonyms() {
        Map<String, Field> m = new HashMap<>();
        put(m, Field.NAMES, "names", "name", "full name", "full names");
        put(m, Field.NID, "nid", "national id", "national id number", "id number");
        put(m, Field.PHONE_NUMBER, "phone number", "phone", "phone no", "mobile", "mobile number", "telephone",
                "msisdn");
        put(m, Field.GENDER, "gender", "sex");
        put(m, Field.EMAIL, "email", "e-mail", "email address");
        return Map.copyOf(m);
    }

    private static void put(Map<String, Field> m, Field field, String... names) {
        for (String name : names) {
            m.put(key(name), field);
        }
        m.put(key(field.key()), field);
    }

    /** The header text as compared: lower case, without spaces, underscores, hyphens and dots. */
    static String key(String header) {
        StringBuilder sb = new StringBuilder(header.length());
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (!Text.isSpace(c) && c != '_' && c != '-' && c != '.') {
                sb.append(c);
            }
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** The field a header names, or null. */
    public static Field fieldOf(String header) {
        return SYNONYMS.get(key(header));
    }

    /** Whether the row has any non-blank cell. */
    public static boolean isBlank(Row row, CellValues cells) {
        for (int c = 0; c < row.getCellCount(); c++) {
            if (!cells.text(row.getCell(c)).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Maps the header row.
     *
     * @throws rw.intake.excel.IngestException {@code file.duplicate_columns} or {@code file.missing_columns}
     */
    public static SheetHeader map(Row row, CellValues cells, String sheet) {
        Map<Field, Integer> columns = new EnumMap<>(Field.class);
        Map<Field, String> headerOf = new EnumMap<>(Field.class);
        List<String> found = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (int c = 0; c < row.getCellCount(); c++) {
            String text = cells.text(row.getCell(c));
            if (text.isEmpty()) {
                continue;
            }
            found.add(text);
            Field field = fieldOf(text);
            if (field == null) {
                ignored.add(text);
            } else if (columns.containsKey(field)) {
                throw Rejections.duplicateColumns(sheet, row.getRowNum(), field.key(),
                        List.of(quote(headerOf.get(field), columns.get(field)), quote(text, c)));
            } else {
                columns.put(field, c);
                headerOf.put(field, text);
            }
        }
        List<String> missing = new ArrayList<>();
        for (Field f : Field.values()) {
            if (!columns.containsKey(f)) {
                missing.add(f.key());
            }
        }
        if (!missing.isEmpty()) {
            throw Rejections.missingColumns(sheet, row.getRowNum(), missing, found);
        }
        return new SheetHeader(row.getRowNum(), sheet, columns, found, ignored);
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
