package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rw.intake.server.TestServer;

/**
 * One cell of 20 million characters, in a column intake does not read, as an inline string or as a shared string: a
 * file of a few dozen kilobytes that a reader would have to hold whole (a cell of a few hundred million characters
 * ran the server out of memory). It is refused as {@code file.too_large} when it is uploaded, and the server serves
 * on.
 */
final class GiantCellTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void cellOfTwentyMillionCharacters_refusedAsTooLarge_serverServesOn(boolean inline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Workbook wb = new Workbook(out, "intake-tests", "1.0");
        Worksheet ws = wb.newWorksheet("People");
        for (int c = 0; c < Workbooks.HEADER.length; c++) {
            ws.value(0, c, Workbooks.HEADER[c]);
        }
        String[] person = Workbooks.person(1);
        for (int c = 0; c < person.length; c++) {
            ws.value(1, c, person[c]);
        }
        String giant = "x".repeat(20_000_000);
        if (inline) {
            ws.inlineString(1, person.length, giant);
        } else {
            ws.value(1, person.length, giant);
        }
        wb.finish();
        byte[] workbook = out.toByteArray();
        assertThat(workbook.length).isLessThan(256 * 1024);

        try (TestServer server = TestServer.start()) {
            String token = server.clerkToken("giant");
            HttpResponse<String> r = Workbooks.upload(server, token, workbook);

            assertThat(Workbooks.problemCode(r, 413)).isEqualTo("file.too_large");
            JsonNode problem = TestServer.json(r);
            assertThat(problem.toString()).contains("maxElementBytes");
            String other = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(0, 1_000)));
            assertThat(Workbooks.settled(server, token, other).get("status").asText())
                    .isEqualTo("validated");
        }
    }

    /**
     * A CSV file of one 50 MB line, its header and 25 million more fields (a string each, it ran the heap out: a 500
     * after 20 s), and one of a header of 2 million columns and a record (accepted, its summary listed every column):
     * refused as {@code file.too_large} ({@code maxColumns}), and the server serves on.
     */
    @Test
    void csvOfMillionsOfColumns_refusedAsTooLarge_serverServesOn() {
        String header = String.join(",", Workbooks.HEADER);
        try (TestServer server = TestServer.start()) {
            String token = server.clerkToken("wide");
            for (CharSequence csv : List.of(
                    header + ",x".repeat(25_000_000),
                    header + ",x".repeat(2_000_000) + "\n" + String.join(",", Workbooks.person(1)) + "\n")) {
                HttpResponse<String> r = Workbooks.uploadCsv(server, token, csv);

                assertThat(Workbooks.problemCode(r, 413)).isEqualTo("file.too_large");
                assertThat(TestServer.json(r).get("limitName").asText()).isEqualTo("maxColumns");
            }
            String other = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(0, 1_000)));
            assertThat(Workbooks.settled(server, token, other).get("status").asText())
                    .isEqualTo("validated");
        }
    }
}
