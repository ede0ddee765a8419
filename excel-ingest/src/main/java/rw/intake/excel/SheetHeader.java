package rw.intake.excel;

import java.util.List;
import java.util.Map;
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
public record SheetHeader(int row, String sheetName, Map<Field, Integer> columns, List<String> headersFound,
                          List<String> ignoredColumns) {

    public SheetHeader {
        columns = Map.copyOf(columns);
        headersFound = List.copyOf(headersFound);
        ignoredColumns = List.copyOf(ignoredColumns);
    }
}
