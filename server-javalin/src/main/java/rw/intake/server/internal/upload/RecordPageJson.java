package rw.intake.server.internal.upload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import rw.intake.storage.Page;

/**
 * A page of staged records as JSON: the same document the server's mapper makes of a {@link Views.PageView} of
 * {@link Views.RecordView}s (same properties in the same order, {@code relatedRow} only when set, normalized nulls
 * written), but each record is copied from its packed bytes ({@link StagedRecords#writeJson}) without rebuilding it,
 * and without view objects, reflection or a JSON generator. The page is put together in a buffer that each thread
 * keeps for its next page, and is written out from there ({@link PageJson}). {@link #writeGenerated} writes the same
 * bytes through Jackson's generator, for the comparison that keeps {@link JsonBytes} ({@code RecordPageJsonBench}).
 */
final class RecordPageJson {
    /** About what a page of 50 records of the sample workbooks takes; the buffer grows past it if needed. */
    private static final int BUFFER_BYTES = 32 * 1024;
    /** A buffer that grew past this (pages of hundreds of long records) is not kept. */
    private static final int KEPT_BYTES = 512 * 1024;

    private static final ThreadLocal<JsonBytes> BUFFER = ThreadLocal.withInitial(() -> new JsonBytes(BUFFER_BYTES));
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ThreadLocal<ByteArrayOutputStream> GENERATED =
            ThreadLocal.withInitial(() -> new ByteArrayOutputStream(BUFFER_BYTES));
    private static final byte[] ITEMS = JsonBytes.ascii("{\"items\":[");
    private static final byte[] PAGE = JsonBytes.ascii("],\"page\":");
    private static final byte[] SIZE = JsonBytes.ascii(",\"size\":");
    private static final byte[] TOTAL_ITEMS = JsonBytes.ascii(",\"totalItems\":");
    private static final byte[] TOTAL_PAGES = JsonBytes.ascii(",\"totalPages\":");

    private RecordPageJson() {}

    /**
     * The page {@code {"items","page","size","totalItems","totalPages"}} of the records at {@code indexes}.
     */
    static PageJson write(StagedRecords records, int[] indexes, int page, int size, long totalItems) {
        return write(records, null, indexes, page, size, totalItems);
    }

    /**
     * As {@link #write}, of records kept in several stores: item {@code i} is record {@code indexes[i]} of {@code
     * sources[i]} (the chunks of an upload that a shared store read).
     */
    static PageJson write(StagedRecords[] sources, int[] indexes, int page, int size, long totalItems) {
        return write(null, sources, indexes, page, size, totalItems);
    }

    /** Item {@code i} is record {@code indexes[i]} of {@code records}, or of {@code sources[i]} if it is null. */
    private static PageJson write(
            StagedRecords records, StagedRecords[] sources, int[] indexes, int page, int size, long totalItems) {
        JsonBytes out = BUFFER.get();
        out.clear();
        out.raw(ITEMS);
        StagedRecords.Reader in = new StagedRecords.Reader(null, 0);
        for (int i = 0; i < indexes.length; i++) {
            if (i > 0) {
                out.raw(',');
            }
            (records == null ? sources[i] : records).writeJson(indexes[i], out, in);
        }
        return end(out, page, size, totalItems);
    }

    /** Closes the items and writes the page's counts. */
    private static PageJson end(JsonBytes out, int page, int size, long totalItems) {
        out.raw(PAGE);
        out.number(page);
        out.raw(SIZE);
        out.number(size);
        out.raw(TOTAL_ITEMS);
        out.number(totalItems);
        out.raw(TOTAL_PAGES);
        out.number(new Page<>(List.of(), page, size, totalItems).totalPages());
        out.raw('}');
        PageJson json = out.page();
        if (out.capacity() > KEPT_BYTES) {
            BUFFER.remove(); // the page still holds it until it is written out
        }
        return json;
    }

    /**
     * The same page as {@link #write}, through Jackson's {@link JsonGenerator} ({@link StagedRecords#writeJson(int,
     * JsonGenerator)}), into a buffer that each thread keeps the same way.
     */
    static byte[] writeGenerated(StagedRecords records, int[] indexes, int page, int size, long totalItems) {
        ByteArrayOutputStream out = GENERATED.get();
        out.reset();
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeFieldName(Keys.ITEMS);
            gen.writeStartArray();
            for (int index : indexes) {
                records.writeJson(index, gen);
            }
            gen.writeEndArray();
            gen.writeFieldName(Keys.PAGE);
            gen.writeNumber(page);
            gen.writeFieldName(Keys.SIZE);
            gen.writeNumber(size);
            gen.writeFieldName(Keys.TOTAL_ITEMS);
            gen.writeNumber(totalItems);
            gen.writeFieldName(Keys.TOTAL_PAGES);
            gen.writeNumber(new Page<>(List.of(), page, size, totalItems).totalPages());
            gen.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("writing a page in memory failed", ex);
        }
        byte[] json = out.toByteArray();
        if (out.size() > KEPT_BYTES) {
            GENERATED.remove();
        }
        return json;
    }

    /** The page's property names, for a generator. */
    private static final class Keys {
        static final SerializedString ITEMS = new SerializedString("items");
        static final SerializedString PAGE = new SerializedString("page");
        static final SerializedString SIZE = new SerializedString("size");
        static final SerializedString TOTAL_ITEMS = new SerializedString("totalItems");
        static final SerializedString TOTAL_PAGES = new SerializedString("totalPages");

        private Keys() {}
    }
}
