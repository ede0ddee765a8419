package rw.intake.excel.internal;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A sheet's rows read by the plain reader until it meets something it does not support, then by fastexcel-reader
 * from that row on: fastexcel-reader opens the sheet again, skips the rows already given (both readers give one row
 * for each {@code <row>} element, in order) and reads the rest, so that such a row is read as fastexcel-reader reads
 * it, or refused as it refuses it.
 */
final class FallbackRows implements SheetRowSource {

    /** Opens the sheet with fastexcel-reader. */
    interface Opener {
        SheetRowSource open() throws IOException;
    }

    private final Opener fastexcel;
    private final int dimensionLastRow;
    private SheetRowSource current;
    private boolean plain = true;
    private long given;
    private int[] wanted;

    FallbackRows(PlainSheetRows plainRows, Opener fastexcel) {
        this.current = plainRows;
        this.fastexcel = fastexcel;
        this.dimensionLastRow = plainRows.dimensionLastRow();
    }

    @Override
    public boolean advance() {
        if (plain) {
            try {
                boolean more = current.advance();
                if (more) {
                    given++;
                }
                return more;
            } catch (XmlBytes.Unsupported e) {
                switchToFastexcel();
            }
        }
        return current.advance();
    }

    private void switchToFastexcel() {
        current.close();
        plain = false;
        try {
            current = fastexcel.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (wanted != null) {
            current.wanted(wanted);
        }
        for (long skip = 0; skip < given; skip++) {
            if (!current.advance()) {
                throw new IllegalStateException("fastexcel-reader read fewer rows than the plain reader gave");
            }
        }
    }

    /** Whether the plain reader has read every row so far. */
    boolean plain() {
        return plain;
    }

    @Override
    public int rowNum() {
        return current.rowNum();
    }

    @Override
    public int cellCount() {
        return current.cellCount();
    }

    @Override
    public String text(int column) {
        return current.text(column);
    }

    @Override
    public boolean numeric(int column) {
        return current.numeric(column);
    }

    @Override
    public boolean hasValue(int column) {
        return current.hasValue(column);
    }

    @Override
    public int dimensionLastRow() {
        return dimensionLastRow;
    }

    @Override
    public void wanted(int[] columns) {
        this.wanted = columns.clone();
        current.wanted(columns);
    }

    @Override
    public void close() {
        current.close();
    }
}
