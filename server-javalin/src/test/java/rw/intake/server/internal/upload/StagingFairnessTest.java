package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/**
 * The staging budget shared fairly, over real HTTP: an upload reserves the rows its sheet holds (not the row limit),
 * and one user may hold only a share of the records (here a third), so others can still upload.
 */
final class StagingFairnessTest {
    private static final int ROWS = 50_000;
    private static TestServer server;
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "STAGING_MAX_RECORDS",
                "300000",
                "STAGING_MAX_RECORDS_PER_USER",
                "100000",
                "STAGING_MAX_UPLOADS_PER_USER",
                "20"));
        pool = Executors.newFixedThreadPool(10);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        server.close();
    }

    @Test
    void upload_tenAtOnceByOneUser_shareHolds() throws Exception {
        byte[] xlsx = Workbooks.xlsx(Workbooks.people(1, ROWS));
        String greedy = server.clerkToken("greedy");
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(CompletableFuture.supplyAsync(() -> Workbooks.upload(server, greedy, xlsx), pool));
        }
        List<HttpResponse<String>> accepted = new ArrayList<>();
        List<HttpResponse<String>> refused = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.get();
            (r.statusCode() == 202 ? accepted : refused).add(r);
        }

        assertThat(accepted).hasSize(2);
        assertThat(refused).hasSize(8);
        for (HttpResponse<String> r : refused) {
            assertThat(Workbooks.problemCode(r, 503)).isEqualTo("staging.full");
            assertThat(r.headers().firstValue("Retry-After")).hasValue("30");
            JsonNode p = TestServer.json(r);
            assertThat(p.get("detail").asText())
                    .isEqualTo(
                            "your uploads hold 100000 of the 100000 records one user"
                                    + " may have staged, and this one needs 50000; wait for them to be committed or delete one");
            assertThat(p.get("maxRecordsPerUser").asLong()).isEqualTo(100_000);
        }

        // another user still gets in, and a third fills the rest; then the total budget is what refuses
        HttpResponse<String> other = Workbooks.upload(server, server.clerkToken("other"), xlsx);
        HttpResponse<String> otherSecond = Workbooks.upload(server, server.clerkToken("other"), xlsx);
        String third = server.clerkToken("third");
        HttpResponse<String> thirdFirst = Workbooks.upload(server, third, xlsx);
        HttpResponse<String> thirdSecond = Workbooks.upload(server, third, xlsx);
        HttpResponse<String> fourth = Workbooks.upload(server, server.clerkToken("fourth"), xlsx);

        assertThat(other.statusCode()).as(other.body()).isEqualTo(202);
        assertThat(otherSecond.statusCode()).isEqualTo(202);
        assertThat(thirdFirst.statusCode()).isEqualTo(202);
        assertThat(thirdSecond.statusCode()).isEqualTo(202);
        assertThat(Workbooks.problemCode(fourth, 503)).isEqualTo("staging.full");
        assertThat(TestServer.json(fourth).get("detail").asText())
                .isEqualTo("the staging area is full for all users"
                        + " (300000 of 300000 records reserved, this upload needs 50000)");

        // once validated, each upload holds what it staged; a deleted one frees its share
        for (HttpResponse<String> r : accepted) {
            Workbooks.settled(server, greedy, TestServer.json(r).get("id").asText());
        }
        assertThat(stagedRecords()).isEqualTo(6.0 * ROWS);
        server.delete(
                "/api/v1/uploads/" + TestServer.json(accepted.get(0)).get("id").asText(), greedy);
        assertThat(Workbooks.upload(server, greedy, xlsx).statusCode()).isEqualTo(202);
    }

    @Test
    void upload_reservesRowsOfTheSheet_thenRecords() {
        List<String[]> rows = new ArrayList<>(Workbooks.people(400_000, 10));
        for (int i = 0; i < 30; i++) {
            rows.add(new String[] {" ", null, null, null, null});
        }
        rows.add(Workbooks.person(400_010));
        String token = server.clerkToken("sparse");
        double before = stagedRecords();

        String id = Workbooks.accepted(server, token, Workbooks.xlsx(rows));
        double reserved = stagedRecords() - before;
        Workbooks.settled(server, token, id);
        double held = stagedRecords() - before;
        server.delete("/api/v1/uploads/" + id, token);

        assertThat(reserved).isBetween(11.0, 41.0);
        assertThat(held).isEqualTo(11.0);
    }

    /**
     * A short list whose file runs on far below its last record (cells formatted down the sheet, a spreadsheet
     * program's CSV export of them: lines of separators) fits the room its records need, not the room its rows would:
     * when the rows counted before reading do not fit, its records are counted.
     */
    @Test
    void upload_shortListFormattedFarBelow_admittedByItsRecords() throws IOException {
        try (TestServer own =
                TestServer.start(Map.of("STAGING_MAX_RECORDS", "100000", "STAGING_MAX_RECORDS_PER_USER", "100000"))) {
            shortListFormattedFarBelow_admittedByItsRecords(own);
        }
    }

    private static void shortListFormattedFarBelow_admittedByItsRecords(TestServer server) throws IOException {
        String token = server.clerkToken("formatted-below");
        StringBuilder held = Workbooks.csv(Workbooks.people(600_000, 70_000));
        String first = TestServer.json(Workbooks.uploadCsv(server, token, held))
                .get("id")
                .asText();
        Workbooks.settled(server, token, first);

        StringBuilder csv = Workbooks.csv(Workbooks.people(700_000, 2));
        csv.append(",,,,\r\n".repeat(50_000));
        HttpResponse<String> fromCsv = Workbooks.uploadCsv(server, token, csv);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Workbook wb = new Workbook(out, "intake-tests", "1.0");
        Worksheet ws = wb.newWorksheet("Sheet1");
        List<String[]> rows = Workbooks.people(700_002, 2);
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < 5; c++) {
                ws.value(r, c, rows.get(r)[c]);
            }
        }
        for (int r = rows.size(); r < 50_000; r++) {
            ws.style(r, 0).fillColor("FFFF00").set();
        }
        wb.finish();
        HttpResponse<String> fromXlsx = Workbooks.upload(server, token, out.toByteArray());

        for (HttpResponse<String> r : List.of(fromCsv, fromXlsx)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode summary = Workbooks.settled(
                    server, token, TestServer.json(r).get("id").asText());
            assertThat(summary.get("totals").get("records").asLong()).isEqualTo(2);
            assertThat(summary.get("totals").get("valid").asLong()).isEqualTo(2);
            assertThat(summary.get("totals").get("blankRows").asLong()).isZero();
            server.delete("/api/v1/uploads/" + summary.get("id").asText(), token);
        }
        // a list whose records do not fit is refused as before
        HttpResponse<String> tooMany = Workbooks.uploadCsv(server, token, held);
        assertThat(Workbooks.problemCode(tooMany, 503)).isEqualTo("staging.full");
        server.delete("/api/v1/uploads/" + first, token);
    }

    /** More rows than a user's share: waiting cannot help, so it is the file's 413, not a 503 to retry. */
    @Test
    void upload_moreRowsThanAShare_tooManyRowsNotRetry() {
        StringBuilder csv = new StringBuilder("names,nid,phone,gender,email\n");
        for (int i = 0; i <= 100_000; i++) {
            csv.append("Ann Person,1199070012345601,0788123456,F,a@example.rw\n");
        }
        String token = server.clerkToken("whole-list");

        HttpResponse<String> r = server.postMultipart(
                "/api/v1/uploads", token, "file", "people.csv", csv.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(Workbooks.problemCode(r, 413)).isEqualTo("file.too_many_rows");
        assertThat(TestServer.json(r).get("limit").asLong()).isEqualTo(100_000);
        assertThat(TestServer.json(r).get("needed").asLong()).isEqualTo(100_001);
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        assertThat(TestServer.json(server.get("/api/v1/uploads", token))).isEmpty();
    }

    /**
     * Lines past a share that are blank after the last record are no data rows: a list that fits is taken, though
     * the count of lines made before reading is over the share.
     */
    @Test
    void upload_blankLinesAfterTheLastRecordPastAShare_taken() {
        StringBuilder csv = new StringBuilder("names,nid,phone,gender,email\n");
        for (int i = 0; i < 99_990; i++) {
            csv.append("Ann Person,1199070012345601,0788123456,F,a@example.rw\n");
        }
        csv.append(",,,,\n".repeat(40));
        String token = server.clerkToken("trailing-blanks");

        HttpResponse<String> r = server.postMultipart(
                "/api/v1/uploads", token, "file", "people.csv", csv.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = TestServer.json(r).get("id").asText();
        assertThat(Workbooks.settled(server, token, id)
                        .get("totals")
                        .get("records")
                        .asLong())
                .isEqualTo(99_990);
        server.delete("/api/v1/uploads/" + id, token);
    }

    private static double stagedRecords() {
        String text = server.get("/metrics", server.adminToken()).body();
        Matcher m = Pattern.compile("(?m)^intake_staging_records (\\S+)$").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
