package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/**
 * A sheet with rows its workbook does not write (a gap between the header and the records) keeps the rows counted
 * before reading reserved while it is read: the gap is read as blank rows, and must not give up room that its records
 * still need, which another upload would take.
 */
final class SparseSheetReservationTest {
    private static final int GAP = 20_000;
    private static final int RECORDS = 12_000;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("STAGING_MAX_RECORDS", "40000", "STAGING_MAX_RECORDS_PER_USER", "20000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void upload_gapBeforeTheRecords_keepsTheirRoomWhileRead() {
        List<String[]> sparse = new ArrayList<>(GAP + RECORDS + 1);
        sparse.add(Workbooks.HEADER);
        for (int i = 0; i < GAP; i++) {
            sparse.add(new String[0]); // no cell: the row is not written
        }
        sparse.addAll(Workbooks.people(1, RECORDS).subList(1, RECORDS + 1));
        byte[] other = Workbooks.xlsx(Workbooks.people(500_000, 10_000));
        String token = server.clerkToken("sparse");

        String id = Workbooks.accepted(server, token, Workbooks.xlsx(sparse));
        // sent while the first is read, or after: its 10,000 records do not fit beside the first's 12,000 either way
        HttpResponse<String> second = Workbooks.upload(server, token, other);

        assertThat(Workbooks.problemCode(second, 503)).isEqualTo("staging.full");
        JsonNode settled = Workbooks.settled(server, token, id);
        assertThat(settled.get("status").asText()).as(settled.toString()).isEqualTo("validated");
        JsonNode totals = settled.get("totals");
        assertThat(totals.get("records").asLong()).isEqualTo(RECORDS);
        assertThat(totals.get("blankRows").asLong()).isEqualTo(GAP);
    }
}
