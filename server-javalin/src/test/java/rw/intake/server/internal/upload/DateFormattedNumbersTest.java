package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/**
 * A NID typed into a column formatted as dates is a number that is no date (Excel shows it as {@code ####}): the
 * upload reads it as the number cell it is, where it used to stop with a server fault once such a row came after the
 * 202.
 */
final class DateFormattedNumbersTest {

    /** Rows before the odd one: enough that it is read after the upload has been accepted. */
    private static final int BEFORE = 30_000;

    private static final long NID = 1_199_880_012_345_678L;

    @Test
    void nidInADateFormattedCell_readAsANumber_uploadValidated() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Workbook wb = new Workbook(out, "intake-tests", "1.0");
        Worksheet ws = wb.newWorksheet("People");
        List<String[]> people = Workbooks.people(0, BEFORE);
        for (int r = 0; r < people.size(); r++) {
            String[] cells = people.get(r);
            for (int c = 0; c < cells.length; c++) {
                ws.value(r, c, cells[c]);
            }
        }
        int odd = people.size();
        ws.value(odd, 0, "Eric Mugisha");
        ws.value(odd, 1, NID);
        ws.style(odd, 1).format("dd/mm/yyyy").set();
        ws.value(odd, 2, "0788999999");
        ws.value(odd, 3, "M");
        ws.value(odd, 4, "eric.mugisha@example.rw");
        wb.finish();

        try (TestServer server = TestServer.start()) {
            String token = server.clerkToken("clerk");
            String id = Workbooks.accepted(server, token, out.toByteArray());
            JsonNode summary = Workbooks.settled(server, token, id);

            assertThat(summary.get("status").asText()).as(summary.toString()).isEqualTo("validated");
            assertThat(summary.get("totals").get("records").asLong()).isEqualTo(BEFORE + 1L);
            JsonNode record = TestServer.json(server.get("/api/v1/uploads/" + id + "/records/" + (odd + 1), token));
            assertThat(record.get("nid").asText()).isEqualTo(Long.toString(NID));
            assertThat(record.get("errors").findValuesAsText("code")).containsExactly("nid.numeric_cell");
        }
    }
}
