package rw.intake.excel.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
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
 * JMH: reading generated registration sheets with {@link SheetReader}, from memory, by {@code rows} and
 * {@code format} (an .xlsx with inline strings as generators write, with shared strings as spreadsheet programs
 * write, or the same records as CSV): read only, read + validate on one thread, the zip pass alone; and Apache
 * POI's streaming reader (XSSFReader + XSSFSheetXMLHandler) on the same .xlsx bytes, for comparison. Scores are
 * milliseconds per sheet. Commands: docs/performance.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ReadBench {

    /** Default limits but bytes: a million records as CSV are about 75 MiB. */
    static final SheetReader READER = SheetReader.builder()
            .limits(new ReadLimits(256L << 20, ReadLimits.DEFAULT_MAX_INFLATED_BYTES, ReadLimits.DEFAULT_MAX_ROWS))
            .build();

    @Param({"50000", "1000000"})
    public int rows;

    @Param({"inline", "shared", "csv"})
    public String format;

    private byte[] sheet;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        byte[] xlsx = workbook(rows, !format.equals("shared"));
        sheet = format.equals("csv") ? csv(xlsx) : xlsx;
        // POI's OPCPackage.open(InputStream) inflates every part into memory (and refuses parts over 100 MB); its
        // streaming use is OPCPackage.open(File), so the bench's own bytes go to a temporary file for it.
        file = Files.createTempFile("readbench", ".xlsx");
        Files.write(file, xlsx);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public long readOnly() {
        try (SheetRecords records = READER.open(sheet);
                Stream<RawRecord> s = records.records()) {
            return check(s.count());
        }
    }

    @Benchmark
    public long readAndValidate() {
        BatchValidator batch = RecordValidator.defaults().newBatch();
        try (SheetRecords records = READER.open(sheet);
                Stream<RawRecord> s = records.records()) {
            return check(s.map(batch::next).filter(ValidatedRecord::valid).count() >= 0 ? records.rowsRead() : -1);
        }
    }

    /**
     * The zip pre-pass alone (inflating every part it does not leave to be read once, counting; a large sheet is only
     * probed); CSV has none.
     */
    @Benchmark
    public boolean zipPass() {
        return !format.equals("csv") && PackageCheck.check(sheet, ReadLimits.defaults());
    }

    /** Apache POI's streaming reader on the .xlsx of the same records, read only. */
    @Benchmark
    public long poi() {
        return check(poi(file));
    }

    private long check(long read) {
        if (read != rows) {
            throw new IllegalStateException("read " + read + " of " + rows);
        }
        return read;
    }

    /** The workbook's records as CSV text, a header line first. */
    private static byte[] csv(byte[] xlsx) {
        StringBuilder sb = new StringBuilder("names,nid,phone_number,gender,email\n");
        try (SheetRecords sheet = READER.open(xlsx);
                Stream<RawRecord> records = sheet.records()) {
            records.forEach(r -> sb.append(r.names())
                    .append(',')
                    .append(r.nid())
                    .append(',')
                    .append(r.phoneNumber())
                    .append(',')
                    .append(r.gender())
                    .append(',')
                    .append(r.email())
                    .append('\n'));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long poi(Path xlsx) {
        AtomicLong rows = new AtomicLong();
        try (OPCPackage pkg = OPCPackage.open(xlsx.toFile(), PackageAccess.READ)) {
            XSSFReader reader = new XSSFReader(pkg);
            ReadOnlySharedStringsTable strings = new ReadOnlySharedStringsTable(pkg);
            XSSFSheetXMLHandler.SheetContentsHandler handler = new XSSFSheetXMLHandler.SheetContentsHandler() {
                @Override
                public void startRow(int rowNum) {}

                @Override
                public void endRow(int rowNum) {
                    if (rowNum > 0) {
                        rows.incrementAndGet();
                    }
                }

                @Override
                public void cell(String cellReference, String formattedValue, XSSFComment comment) {}
            };
            XMLReader parser = XMLHelper.newXMLReader();
            parser.setContentHandler(new XSSFSheetXMLHandler(
                    reader.getStylesTable(), null, strings, handler, new DataFormatter(), false));
            try (InputStream sheet = reader.getSheetsData().next()) {
                parser.parse(new InputSource(sheet));
            }
        } catch (IOException | OpenXML4JException | SAXException | ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        return rows.get();
    }

    /** A registration sheet: header and {@code rows} records, ~10% of NIDs and half the phones as number cells. */
    public static byte[] workbook(int rows, boolean inlineStrings) {
        String[] first = {
            "Jean", "Marie", "Eric", "Claudine", "Patrick", "Aline", "Emmanuel", "Grace", "Olivier", "Diane"
        };
        String[] last = {
            "Uwase",
            "Habimana",
            "Mukamana",
            "Niyonzima",
            "Uwimana",
            "Nshimiyimana",
            "Ingabire",
            "Mugisha",
            "Iradukunda",
            "Byiringiro"
        };
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
                long nid = 1_1950_0_0000000_0_00L
                        + (long) random.nextInt(60) * 100_000_000_000L
                        + (male ? 8 : 7) * 10_000_000_000L
                        + random.nextInt(10_000_000) * 1000L
                        + random.nextInt(100);
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
