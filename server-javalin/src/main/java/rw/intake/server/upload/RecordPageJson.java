package rw.intake.server.upload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import rw.intake.storage.Page;

/**
 * A page of staged records as JSON, written with Jackson's streaming generator into one pre-sized byte buffer: the
 * same document the server's mapper makes of a {@link Views.PageView} of {@link Views.RecordView}s (same properties
 * in the same order, {@code relatedRow} only when set, normalized nulls written), but each record is copied from its
 * packed bytes ({@link StagedRecords#writeJson}) without rebuilding it, and without view objects or reflection.
 */
final class RecordPageJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    /** About what a record of the sample workbooks takes; the buffer grows past it if needed. */
    private static final int BYTES_PER_RECORD = 360;

    private RecordPageJson() {
    }

    /**
     * The page {@code {"items","page","size","totalItems","totalPages"}} of the records at {@code indexes}.
     */
    static byte[] write(StagedRecords records, int[] indexes, int page, int size, long totalItems) {
        long totalPages = new Page<>(List.of(), page, size, totalItems).totalPages();
        ByteArrayBuilder out = new ByteArrayBuilder(128 + BYTES_PER_RECORD * indexes.length);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("items");
            g.writeStartArray();
            for (int index : indexes) {
                records.writeJson(index, g);
            }
            g.writeEndArray();
            g.writeNumberField("page", page);
            g.writeNumberField("size", size);
            g.writeNumberField("totalItems", totalItems);
            g.writeNumberField("totalPages", totalPages);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("writing a page of records failed", ex);
        }
        return out.toByteArray();
    }
}
