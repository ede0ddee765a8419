package rw.intake.validation.internal;

import java.util.ArrayList;
import java.util.List;
import rw.intake.validation.Field;
import rw.intake.validation.Severity;
import rw.intake.validation.Violation;

/** The violations of one record as the field rules find them; allocates nothing while the record is clean. */
public final class Findings {

    private ArrayList<Violation> list;

    public void error(Field field, String code, String message) {
        add(Violation.of(field, code, Severity.ERROR, message));
    }

    public void warning(Field field, String code, String message) {
        add(Violation.of(field, code, Severity.WARNING, message));
    }

    private void add(Violation v) {
        if (list == null) {
            list = new ArrayList<>(4);
        }
        list.add(v);
    }

    /** The violations found, in the order they were added. */
    public List<Violation> toList() {
        return list == null ? List.of() : list;
    }

    /** Shortens a cell text for quoting in a message. */
    public static String quote(String text) {
        String t = text.length() > 40 ? text.substring(0, 37) + "..." : text;
        return "'" + t + "'";
    }

    /** Quotes one code point for a message, naming invisible ones by their code. */
    public static String quoteCodePoint(int cp) {
        if (Character.isISOControl(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return String.format("U+%04X", cp);
        }
        return "'" + new String(Character.toChars(cp)) + "'";
    }
}
