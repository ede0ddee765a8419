package rw.intake.excel.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.poi.openxml4j.exceptions.OpenXML4JException;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.util.XMLHelper;
import org.apache.poi.xssf.eventusermodel.ReadOnlySharedStringsTable;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.eventusermodel.XSSFSheetXMLHandler;
import org.apache.poi.xssf.usermodel.XSSFComment;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;
import rw.intake.excel.ReadLimits;
import rw.intake.excel.SheetReader;
import rw.intake.excel.SheetRecords;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * Read and read + validate throughput of {@link SheetReader} on generated workbooks, against Apache POI's streaming
 * reader (XSSFReader + XSSFSheetXMLHandler) on the same bytes. Not a test: run it by hand (see docs/performance.md).
 * Arguments: row counts (default {@code 50000 1000000}); a first argument {@code csv} compares instead the same
 * records as an inline-string workbook and as a CSV file (the CSV written from what the reader read).
 */
public final class ReadBench {

    private static final int ROUNDS = 3;
    /** Default limits but bytes: a million records as CSV are about 75 MiB. */
    private static final SheetReader READER = SheetReader.builder().limits(new ReadLimits(256L << 20,
            ReadLimits.DEFAULT_MAX_INFLATED_BYTES, ReadLimits.DEFAULT_MAX_ROWS)).build();

    private ReadBench() {
    }

    public static void main(String[] args) throws Exception {
        boolean csv = args.length > 0 && args[0].equals("csv");
        int[] sizes = args.length == (csv ? 1 : 0) ? new int[] {50_000, 1_000_000}
                : Stream.of(args).skip(csv ? 1 : 0).mapToInt(Integer::parseInt).toArray();
        if (csv) {
            compareCsv(sizes);
            return;
        }
        System.out.printf(Locale.ROOT, "JVM max heap %d MiB, %d cores%n", Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors());
        ExecutorService readers = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sheet-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            byte[] warm = workbook(20_000, true);
            for (int i = 0; i < 5; i++) {
                readOnly(warm);
                readAndValidate(warm);
                readAheadAndValidate(warm, readers);
                Path file = Files.createTempFile("readbench", ".xlsx");
                Files.write(file, warm);
                poi(file);
                Files.delete(file);
            }
            for (int rows : sizes) {
                for (boolean inline : new boolean[] {true, false}) {
                    byte[] xlsx = workbook(rows, inline);
                    String name = String.format(Locale.ROOT, "%,d rows, %s strings, %.1f MiB", rows,
                            inline ? "inline" : "shared", xlsx.length / 1048576.0);
                    System.out.println(name);
                    measure("  of which the zip pre-pass (inflate count)", rows,
                            () -> {
                                // it throws on a package it refuses; whether the styles may be read is not the point
                                PackageCheck.check(xlsx, ReadLimits.defaults());
                                return rows;
                            });
                    double base = measure("  SheetReader read only", rows, () -> readOnly(xlsx));
                    measure("  SheetReader read + validate, one thread", rows, () -> readAndValidate(xlsx));
                    measure("  SheetReader read-ahead + validate, two threads", rows,
                            () -> readAheadAndValidate(xlsx, readers));
                    // POI's OPCPackage.open(InputStream) inflates every part into memory (and refuses parts over
                    // 100 MB); its streaming use is OPCPackage.open(File). The bench's own bytes go to a temp file.
                    Path file = Files.createTempFile("readbench", ".xlsx");
                    Files.write(file, xlsx);
                    double poi;
                    try {
                        poi = measure("  POI XSSFReader+XSSFSheetXMLHandler read only", rows, () -> poi(file));
                    } finally {
                        Files.delete(file);
                    }
                    System.out.printf(Locale.ROOT, "  POI / SheetReader (read only): %.2f%n", poi / base);
                }
            }
        } finally {
            readers.shutdownNow();
        }
    }

    /** The same records as an inline-string workbook and as CSV: read only, and read + validate on one thread. */
    private static void compareCsv(int[] sizes) {
        byte[] warmXlsx = workbook(20_000, true);
        byte[] warmCsv = csv(warmXlsx);
        for (int i = 0; i < 5; i++) {
            readOnly(warmXlsx);
            readOnly(warmCsv);
            readAndValidate(warmXlsx);
            readAndValidate(warmCsv);
        }
        for (int rows : sizes) {
            byte[] xlsx = workbook(rows, true);
            byte[] csv = csv(xlsx);
            System.out.printf(Locale.ROOT, "%,d rows: xlsx %.1f MiB, CSV %.1f MiB%n", rows, xlsx.length / 1048576.0,
                    csv.length / 1048576.0);
            double xlsxRead = measure("  xlsx read only", rows, () -> readOnly(xlsx));
            double csvRead = measure("  CSV read only", rows, () -> readOnly(csv));
            double xlsxValidate = measure("  xlsx read + validate, one thread", rows, () -> readAndValidate(xlsx));
            double csvValidate = measure("  CSV read + validate, one thread", rows, () -> readAndValidate(csv));
            System.out.printf(Locale.ROOT, "  CSV / xlsx: read only %.2f, read + validate %.2f%n", csvRead / xlsxRead,
                    csvValidate / xlsxValidate);
        }
    }

    /** The workbook's records as CSV text, a header line first. */
    private static byte[] csv(byte[] xlsx) {
        StringBuilder sb = new StringBuilder("names,nid,phone_number,gender,email\n");
        try (SheetRecords sheet = READER.open(xlsx); Stream<RawRecord> records = sheet.records()) {
            records.forEach(r -> sb.append(r.names()).append(',').append(r.nid()).append(',').append(r.phoneNumber())
                    .append(',').append(r.gender()).append(',').append(r.email()).append('\n'));
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Best of {@link #ROUNDS} runs; prints seconds, rows/s and the peak heap over that run. Returns seconds. */
    private static double measure(String label, int rows, LongSupplier run) {
        double best = Double.MAX_VALUE;
        long peak = 0;
        for (int i = 0; i < ROUNDS; i++) {
            System.gc();
            resetPeaks();
            long t0 = System.nanoTime();
            long n = run.getAsLong();
            double s = (System.nanoTime() - t0) / 1e9;
            if (n != rows) {
                throw new IllegalStateException(label + ": read " + n + " of " + rows);
            }
            best = Math.min(best, s);
            peak = Math.max(peak, peakHeap());
        }
        System.out.printf(Locale.ROOT, "%-52s %7.3f s %,12.0f rows/s  peak heap %,5d MiB%n", label, best, rows / best,
                peak >> 20);
        return best;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long readOnly(byte[] xlsx) {
        try (SheetRecords sheet = READER.open(xlsx); Stream<RawRecord> records = sheet.records()) {
            return records.count();
        }
    }

    private static long readAndValidate(byte[] xlsx) {
        BatchValidator batch = RecordValidator.defaults().newBatch();
        try (SheetRecords sheet = READER.open(xlsx); Stream<RawRecord> records = sheet.records()) {
            return records.map(batch::next).filter(ValidatedRecord::valid).count() >= 0 ? sheet.rowsRead() : -1;
        }
    }

    private static long readAheadAndValidate(byte[] xlsx, ExecutorService readers) {
        BatchValidator batch = RecordValidator.defaults().newBatch();
        SheetRecords sheet = READER.open(xlsx);
        try (Stream<RawRecord> records = sheet.records(readers)) {
            return records.map(batch::next).filter(ValidatedRecord::valid).count() >= 0 ? sheet.rowsRead() : -1;
        }
    }

    private static long poi(Path xlsx) {
        AtomicLong rows = new AtomicLong();
        try (OPCPackage pkg = OPCPackage.open(xlsx.toFile(), PackageAccess.READ)) {
            XSSFReader reader = new XSSFReader(pkg);
            ReadOnlySharedStringsTable strings = new ReadOnlySharedStringsTable(pkg);
            XSSFSheetXMLHandler.SheetContentsHandler handler = new XSSFSheetXMLHandler.SheetContentsHandler() {
                @Override
                public void startRow(int rowNum) {
                }

                @Override
                public void endRow(int rowNum) {
                    if (rowNum > 0) {
                        rows.incrementAndGet();
                    }
                }

                @Override
                public void cell(String cellReference, String formattedValue, XSSFComment comment) {
                }
            };
            XMLReader parser = XMLHelper.newXMLReader();
            parser.setContentHandler(new XSSFSheetXMLHandler(reader.getStylesTable(), null, strings, handler,
                    new DataFormatter(), false));
            try (InputStream sheet = reader.getSheetsData().next()) {
                parser.parse(new InputSource(sheet));
            }
        } catch (IOException | OpenXML4JException | SAXException | ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        return rows.get();
    }

    /** A registration sheet: header and {@code rows} records, ~10% of NIDs and half the phones as number cells. */
    static byte[] workbook(int rows, boolean inlineStrings) {
        String[] first = {"Jean", "Marie", "Eric", "Claudine", "Patrick", "Aline", "Emmanuel", "Grace", "Olivier",
            "Diane"};
        String[] last = {"Uwase", "Habimana", "Mukamana", "Niyonzima", "Uwimana", "Nshimiyimana", "Ingabire",
            "Mugisha", "Iradukunda", "Byiringiro"};
        Random random = new Random(42);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Workbook wb = new Workbook(out, "ReadBench", "1.0");
            Worksheet ws = wb.newWorksheet("People");
            String[] header = {"names", "nid", "phone_number", "gender", "email"};
            for (int c = 0; c < header.length; c++) {
                ws.value(0, c, header[c]);
            }
            for (int r = 1; r <= rows; r++) {
                boolean male = random.nextBoolean();
                String name = first[random.nextInt(first.length)] + " " + last[random.nextInt(last.length)];
                long nid = 1_1950_0_0000000_0_00L + (long) random.nextInt(60) * 100_000_000_000L
                        + (male ? 8 : 7) * 10_000_000_000L + random.nextInt(10_000_000) * 1000L + random.nextInt(100);
                long phone = 780_000_000L + random.nextInt(20_000_000);
                String email = name.toLowerCase(Locale.ROOT).replace(' ', '.') + r + "@example.rw";
                text(ws, r, 0, name, inlineStrings);
                if (r % 10 == 0) {
                    ws.value(r, 1, nid);
                } else {
                    text(ws, r, 1, Long.toString(nid), inlineStrings);
                }
                if (r % 2 == 0) {
                    ws.value(r, 2, phone);
                } else {
                    text(ws, r, 2, "0" + phone, inlineStrings);
                }
                text(ws, r, 3, male ? "M" : "F", inlineStrings);
                text(ws, r, 4, email, inlineStrings);
                if (r % 10_000 == 0) {
                    ws.flush();
                }
            }
            wb.finish();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void text(Worksheet ws, int r, int c, String value, boolean inline) {
        if (inline) {
            ws.inlineString(r, c, value);
        } else {
            ws.value(r, c, value);
        }
    }
}
