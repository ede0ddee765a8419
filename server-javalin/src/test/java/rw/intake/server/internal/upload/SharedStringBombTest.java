package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/**
 * A shared-string bomb: a small workbook (one long text, written once as a shared string, in every cell of 20,000
 * rows) whose records would hold 3 billion characters. It used to run the server out of memory (the upload failed
 * as a server fault); it fails as {@code file.too_large}, and the server serves on.
 */
final class SharedStringBombTest {

    @Test
    void longSharedStringInEveryCell_failsAsTooLarge_serverServesOn() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Workbook wb = new Workbook(out, "intake-tests", "1.0");
        Worksheet ws = wb.newWorksheet("People");
        for (int c = 0; c < Workbooks.HEADER.length; c++) {
            ws.value(0, c, Workbooks.HEADER[c]);
        }
        String text = "x".repeat(30_000);
        for (int r = 1; r <= 20_000; r++) {
            for (int c = 0; c < Workbooks.HEADER.length; c++) {
                ws.value(r, c, text);
            }
        }
        wb.finish();
        byte[] bomb = out.toByteArray();
        assertThat(bomb.length).isLessThan(1024 * 1024);

        try (TestServer server = TestServer.start()) {
            String token = server.clerkToken("bomber");
            String id = Workbooks.accepted(server, token, bomb);
            JsonNode summary = Workbooks.settled(server, token, id);

            assertThat(summary.get("status").asText()).isEqualTo("failed");
            assertThat(summary.get("failure").get("code").asText()).isEqualTo("file.too_large");
            assertThat(summary.get("failure").get("detail").asText()).contains("repeats long texts");
            String other = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(0, 1_000)));
            assertThat(Workbooks.settled(server, token, other).get("status").asText())
                    .isEqualTo("validated");
        }
    }
}
