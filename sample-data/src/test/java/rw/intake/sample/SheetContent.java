package rw.intake.sample;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.CellType;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;

/** A generated workbook read back with fastexcel-reader: every non-empty row's cells as text. */
record SheetContent(String sheetName, Map<Integer, List<Text>> rows) {

    /** One cell: its text (a number as plain digits) and whether it was a number cell. */
    record Text(String value, boolean numeric) {
        static final Text EMPTY = new Text("", false);
    }

    static SheetContent read(byte[] xlsx) {
        try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(xlsx))) {
            Map<Integer, List<Text>> rows = new TreeMap<>();
            List<Row> all = wb.getFirstSheet().read();
            for (Row row : all) {
                List<Text> cells = new ArrayList<>();
                for (int c = 0; c < row.getCellCount(); c++) {
                    cells.add(text(row.getCell(c)));
                }
                rows.put(row.getRowNum(), cells);
            }
            return new SheetContent(wb.getFirstSheet().getName(), rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Text text(Cell cell) {
        if (cell == null || cell.getType() == CellType.EMPTY) {
            return Text.EMPTY;
        }
        if (cell.getType() == CellType.NUMBER) {
            return new Text(cell.asNumber().toPlainString(), true);
        }
        return new Text(cell.getText(), false);
    }

    /** The cell in column {@code c} (0-based) of spreadsheet row {@code row}, empty if absent. */
    Text cell(int row, int c) {
        List<Text> cells = rows.getOrDefault(row, List.of());
        return c < cells.size() ? cells.get(c) : Text.EMPTY;
    }
}
