package rw.intake.excel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prefix of SpreadsheetML's elements taken out of a part's bytes, however the reads of the stream below and of
 * the reader above cut them: read in pieces of every size from one byte, the part comes out as one written without
 * the prefix.
 */
final class UnprefixedStreamTest {

    private static final String MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private static final String BODY = "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>x&lt;y</t></is></c>"
            + "<c r=\"B1\"><f>IF(A1&lt;&gt;\"\",1,0)</f><v>1</v></c></row><row r=\"2\"/>"
            + "<row r=\"3\"><c r=\"A3\"><v>3</v></c><xy:c r=\"B3\"/><x/><xx:v/></row></sheetData></worksheet>";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 64, 8192})
    void prefixedPart_readInPieces_isThePartWithoutThePrefix(int piece) throws IOException {
        String root = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<x:worksheet xmlns:x=\"" + MAIN
                + "\" xmlns:r=\"urn:r\">";

        String read = readInPieces(root + prefixed(BODY, "x"), piece, piece);

        assertThat(read)
                .isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<worksheet xmlns:x=\""
                        + MAIN + "\" xmlns:r=\"urn:r\">" + BODY);
    }

    @Test
    void largePrefixedPart_randomReads_isThePartWithoutThePrefix() throws IOException {
        StringBuilder body = new StringBuilder("<sheetData>");
        for (int r = 1; r <= 20_000; r++) {
            body.append("<row r=\"")
                    .append(r)
                    .append("\"><c r=\"A")
                    .append(r)
                    .append("\"><v>")
                    .append(r)
                    .append("</v></c></row>");
        }
        body.append("</sheetData></worksheet>");
        String root = "<main:worksheet xmlns:main='" + MAIN + "'>";
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            int below = 1 + random.nextInt(20_000);
            int above = 1 + random.nextInt(20_000);

            String read = readInPieces(root + prefixed(body.toString(), "main"), below, above);

            assertThat(read)
                    .as("reads of %d below, %d above", below, above)
                    .isEqualTo("<worksheet xmlns:main='" + MAIN + "'>" + body);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "<worksheet xmlns=\"" + MAIN + "\"><sheetData/></worksheet>",
                "<x:worksheet xmlns:x=\"urn:other\"><x:sheetData/></x:worksheet>",
                "<x:worksheet xmlns:y=\"" + MAIN + "\"><x:sheetData/></x:worksheet>",
                "<!-- <x:worksheet xmlns:x=\"" + MAIN + "\"> --><x:worksheet><x:sheetData/></x:worksheet>",
                "",
                "<",
                "no markup at all"
            })
    void otherParts_passUnchanged(String part) throws IOException {
        assertThat(readInPieces(part, 3, 5)).isEqualTo(part);
        assertThat(readInPieces(part, 8192, 1)).isEqualTo(part);
    }

    @Test
    void strictNamespace_andSingleQuotes_andABom_prefixTakenOut() throws IOException {
        String part = "\uFEFF<s:sst xmlns:s='http://purl.oclc.org/ooxml/spreadsheetml/main' count=\"1\">"
                + "<s:si><s:t>a</s:t></s:si></s:sst>";

        assertThat(readInPieces(part, 2, 3))
                .isEqualTo("\uFEFF<sst xmlns:s='http://purl.oclc.org/ooxml/spreadsheetml/main' count=\"1\">"
                        + "<si><t>a</t></si></sst>");
    }

    /** The XML with every element's name given the prefix. */
    private static String prefixed(String xml, String prefix) {
        return xml.replace("</", "\u0000").replace("<", "<" + prefix + ":").replace("\u0000", "</" + prefix + ":");
    }

    /** The part read through the stream: the stream below gives at most {@code below} bytes a read. */
    private static String readInPieces(String part, int below, int above) throws IOException {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        InputStream source = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, below));
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (UnprefixedStream in = new UnprefixedStream(source)) {
            byte[] piece = new byte[above];
            int n;
            while ((n = in.read(piece, 0, piece.length)) >= 0) {
                out.write(piece, 0, n);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
