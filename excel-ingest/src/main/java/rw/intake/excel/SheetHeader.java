package rw.intake.excel;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import rw.intake.excel.internal.HeaderMapper;
import rw.intake.validation.Field;

/**
 * What the header row said.
 *
 * @param row            the spreadsheet row number of the header (1-based)
 * @param sheetName      the sheet being read
 * @param columns        for each field, its 0-based column index
 * @param headersFound   every non-blank header text, in column order
 * @param ignoredColumns headers that map to no field, in column order
 */
public record SheetHeader(
        int row,
        String sheetName,
        Map<Field, Integer> columns,
        List<String> headersFound,
        List<String> ignoredColumns) {

    public SheetHeader {
        columns = Map.copyOf(columns);
        headersFound = List.copyOf(headersFound);
        ignoredColumns = List.copyOf(ignoredColumns);
    }

    /**
     * The header text of each field's column as the sheet had it (trimmed), in {@link Field} order; a field without
     * a column has its key. A report written back under these names reads as this sheet did.
     */
    public List<String> fieldHeaders() {
        Map<Field, String> byField = new EnumMap<>(Field.class);
        for (String header : headersFound) {
            Field f = HeaderMapper.fieldOf(header);
            if (f != null) {
                byField.putIfAbsent(f, header);
            }
        }
        List<String> out = new ArrayList<>(Field.values().length);
        for (Field f : Field.values()) {
            out.add(byField.getOrDefault(f, f.key()));
        }
        return List.copyOf(out);
    }
}
