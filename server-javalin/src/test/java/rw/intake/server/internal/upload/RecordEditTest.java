package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

/**
 * Fixing a staged upload over real HTTP: edits re-judge the record and the rows that share its old and new values,
 * exclusions leave records out of the commit, and after each step the summary, every filter and the pages agree.
 * Where no record is left out, the edited upload is compared with a fresh upload of the edited sheet.
 */
final class RecordEditTest {
    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static final String[] CODES_FIELDS = {"names", "nid", "phone_number", "gender", "email"};

    static String nid(int i) {
        return Workbooks.person(i)[1];
    }

    /** Uploads the rows (header first) and waits for the validation. */
    static String upload(String token, List<String[]> rows) {
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        assertThat(Workbooks.settled(SERVER, token, id).get("status").asText()).isEqualTo("validated");
        return id;
    }

    static List<String[]> sheet(String[]... people) {
        List<String[]> rows = new ArrayList<>();
        rows.add(Workbooks.HEADER);
        rows.addAll(List.of(people));
        return rows;
    }

    static String[] person(int i, String nid) {
        String[] p = Workbooks.person(i);
        p[1] = nid;
        return p;
    }

    static HttpResponse<String> patch(String token, String id, int row, String json) {
        return SERVER.patchJson("/api/v1/uploads/" + id + "/records/" + row, token, json);
    }

    static JsonNode edited(String token, String id, int row, String json) {
        HttpResponse<String> r = patch(token, id, row, json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r);
    }

    static JsonNode summary(String token, String id) {
        return TestServer.json(SERVER.get("/api/v1/uploads/" + id, token));
    }

    /** Every record by row, read through pages of 500. */
    static NavigableMap<Integer, JsonNode> records(String token, String id, String query) {
        NavigableMap<Integer, JsonNode> out = new TreeMap<>();
        for (int page = 1; ; page++) {
            JsonNode p = TestServer.json(
                    SERVER.get("/api/v1/uploads/" + id + "/records?size=500&page=" + page + query, token));
            p.get("items").forEach(r -> out.put(r.get("row").asInt(), r));
            if (page >= p.get("totalPages").asLong()) {
                return out;
            }
        }
    }

    /**
     * The summary's totals and counts by code, every status, field and code filter and the pages all say the same of
     * the records; returns them by row.
     */
    static NavigableMap<Integer, JsonNode> assertConsistent(String token, String id) {
        JsonNode summary = summary(token, id);
        NavigableMap<Integer, JsonNode> all = records(token, id, "");
        JsonNode totals = summary.get("totals");
        assertThat(totals.get("records").asLong()).isEqualTo(all.size());
        long valid =
                all.values().stream().filter(r -> r.get("valid").asBoolean()).count();
        assertThat(totals.get("valid").asLong()).isEqualTo(valid);
        assertThat(totals.get("invalid").asLong()).isEqualTo(all.size() - valid);
        assertThat(totals.get("excluded").asLong())
                .isEqualTo(all.values().stream()
                        .filter(r -> r.get("excluded").asBoolean())
                        .count());
        assertThat(totals.get("excludedValid").asLong())
                .isEqualTo(all.values().stream()
                        .filter(r ->
                                r.get("excluded").asBoolean() && r.get("valid").asBoolean())
                        .count());
        assertThat(totals.get("withWarnings").asLong())
                .isEqualTo(all.values().stream()
                        .filter(r -> codes(r).stream().anyMatch(Workbooks.WARNINGS::contains))
                        .count());
        Map<String, Long> byCode = new TreeMap<>();
        all.values().forEach(r -> codes(r).forEach(c -> byCode.merge(c, 1L, Long::sum)));
        Map<String, Long> served = new TreeMap<>();
        summary.get("violationsByCode")
                .properties()
                .forEach(e -> served.put(e.getKey(), e.getValue().asLong()));
        assertThat(served).isEqualTo(byCode);
        for (String status : List.of("valid", "invalid")) {
            assertThat(records(token, id, "&status=" + status).keySet())
                    .as(status)
                    .containsExactlyElementsOf(all.values().stream()
                            .filter(r -> r.get("valid").asBoolean() == "valid".equals(status))
                            .map(r -> r.get("row").asInt())
                            .toList());
        }
        for (String code : byCode.keySet()) {
            assertThat(records(token, id, "&code=" + code).keySet())
                    .as(code)
                    .containsExactlyElementsOf(all.values().stream()
                            .filter(r -> codes(r).contains(code))
                            .map(r -> r.get("row").asInt())
                            .toList());
        }
        for (String field : CODES_FIELDS) {
            assertThat(records(token, id, "&status=invalid&field=" + field).keySet())
                    .as(field)
                    .containsExactlyElementsOf(all.values().stream()
                            .filter(r ->
                                    !r.get("valid").asBoolean() && fields(r).contains(field))
                            .map(r -> r.get("row").asInt())
                            .toList());
        }
        // the records left out, alone and by field and code
        assertThat(records(token, id, "&status=excluded").keySet())
                .as("excluded")
                .containsExactlyElementsOf(all.values().stream()
                        .filter(r -> r.get("excluded").asBoolean())
                        .map(r -> r.get("row").asInt())
                        .toList());
        for (String field : CODES_FIELDS) {
            assertThat(records(token, id, "&status=excluded&field=" + field).keySet())
                    .as("excluded " + field)
                    .containsExactlyElementsOf(all.values().stream()
                            .filter(r ->
                                    r.get("excluded").asBoolean() && fields(r).contains(field))
                            .map(r -> r.get("row").asInt())
                            .toList());
        }
        for (String code : byCode.keySet()) {
            assertThat(records(token, id, "&status=excluded&code=" + code).keySet())
                    .as("excluded " + code)
                    .containsExactlyElementsOf(all.values().stream()
                            .filter(r -> r.get("excluded").asBoolean() && codes(r).contains(code))
                            .map(r -> r.get("row").asInt())
                            .toList());
        }
        return all;
    }

    /** The edited upload's records are those of a fresh upload of the sheet as edited (but for "edited"). */
    static void assertSameAsFreshUpload(String token, String id, NavigableMap<Integer, JsonNode> edited) {
        List<String[]> rows = new ArrayList<>();
        rows.add(Workbooks.HEADER);
        for (JsonNode r : edited.values()) {
            assertThat(r.get("row").asInt()).isEqualTo(rows.size() + 1);
            rows.add(new String[] {
                r.get("names").asText(),
                r.get("nid").asText(),
                r.get("phoneNumber").asText(),
                r.get("gender").asText(),
                r.get("email").asText()
            });
        }
        NavigableMap<Integer, JsonNode> fresh = records(token, upload(token, rows), "");
        assertThat(fresh.keySet()).isEqualTo(edited.keySet());
        for (int row : fresh.keySet()) {
            JsonNode a = edited.get(row).deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) a).put("edited", false);
            assertThat(a).as("row %d", row).isEqualTo(fresh.get(row));
        }
    }

    static List<String> codes(JsonNode record) {
        List<String> codes = new ArrayList<>();
        record.get("errors").forEach(e -> codes.add(e.get("code").asText()));
        return codes;
    }

    static List<String> fields(JsonNode record) {
        List<String> fields = new ArrayList<>();
        record.get("errors").forEach(e -> fields.add(e.get("field").asText()));
        return fields;
    }

    static JsonNode error(JsonNode record, String code) {
        for (JsonNode e : record.get("errors")) {
            if (e.get("code").asText().equals(code)) {
                return e;
            }
        }
        throw new AssertionError("no " + code + " in " + record);
    }

    static JsonNode commit(String token, String id, String records) {
        HttpResponse<String> r =
                SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"" + records + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r);
    }

    /** The rows of record_edits of an upload: row, field, old, new, account. */
    static List<List<String>> auditRows(TestServer server, String id) throws SQLException {
        boolean maria = server.config().jdbcUrl().startsWith("jdbc:mariadb:");
        String row = maria ? "`row_number`" : "\"row_number\"";
        List<List<String>> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(
                        server.config().jdbcUrl(),
                        server.config().dbUser(),
                        server.config().dbPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + row + ", field, old_value, new_value, account, edited_at"
                        + " FROM record_edits WHERE upload_id = '" + id + "' ORDER BY id")) {
            while (rs.next()) {
                assertThat(rs.getTimestamp(6)).isNotNull();
                out.add(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
        return out;
    }

    @Test
    void edit_invalidNidMadeValidThenCommitted() throws SQLException {
        String token = SERVER.clerkToken("fixer1");
        String id = upload(token, sheet(Workbooks.person(101), person(102, "1199")));
        assertThat(codes(records(token, id, "").get(3))).containsExactly("nid.format");

        JsonNode answer = edited(token, id, 3, "{\"nid\":\"" + nid(102) + "\"}");

        JsonNode record = answer.get("record");
        assertThat(record.get("row").asInt()).isEqualTo(3);
        assertThat(record.get("nid").asText()).isEqualTo(nid(102));
        assertThat(record.get("normalized").get("nid").asText()).isEqualTo(nid(102));
        assertThat(record.get("valid").asBoolean()).isTrue();
        assertThat(record.get("edited").asBoolean()).isTrue();
        assertThat(record.get("excluded").asBoolean()).isFalse();
        assertThat(answer.get("changed")).isEmpty();
        NavigableMap<Integer, JsonNode> all = assertConsistent(token, id);
        assertThat(all.get(3)).isEqualTo(record);
        assertThat(summary(token, id).get("totals").get("valid").asLong()).isEqualTo(2);
        JsonNode detail = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/3", token));
        assertThat(detail.get("history")).hasSize(1);
        JsonNode h = detail.get("history").get(0);
        assertThat(h.get("field").asText()).isEqualTo("nid");
        assertThat(h.get("from").asText()).isEqualTo("1199");
        assertThat(h.get("to").asText()).isEqualTo(nid(102));
        assertThat(h.get("by").asText()).isEqualTo("fixer1");
        assertThat(h.get("at").asText()).isNotBlank();
        assertSameAsFreshUpload(token, id, all);

        JsonNode result = commit(token, id, "valid");

        assertThat(result.get("committed").asLong()).isEqualTo(2);
        assertThat(result.get("skipped").asLong()).isZero();
        JsonNode users = TestServer.json(SERVER.get("/api/v1/users?uploadId=" + id, token));
        assertThat(users.get("items").get(1).get("nid").asText()).isEqualTo(nid(102));
        assertThat(users.get("items").get(1).get("valid").asBoolean()).isTrue();
        assertThat(auditRows(SERVER, id)).containsExactly(List.of("3", "nid", "1199", nid(102), "fixer1"));
        assertThat(Workbooks.problemCode(patch(token, id, 2, "{\"names\":\"Late Edit\"}"), 409))
                .isEqualTo("upload.already_committed");
    }

    @Test
    void edit_firstOfThreeDuplicatesMovesTheFirstOccurrence() {
        String token = SERVER.clerkToken("fixer2");
        String id = upload(
                token,
                sheet(person(201, nid(201)), person(202, nid(201)), person(203, nid(201)), Workbooks.person(204)));
        NavigableMap<Integer, JsonNode> before = assertConsistent(token, id);
        assertThat(error(before.get(4), "nid.duplicate").get("relatedRow").asInt())
                .isEqualTo(2);

        JsonNode answer = edited(token, id, 2, "{\"nid\":\"" + nid(209) + "\"}");

        assertThat(answer.get("record").get("valid").asBoolean()).isTrue();
        assertThat(answer.get("changed").toString())
                .isEqualTo("[{\"row\":3,\"valid\":true},{\"row\":4,\"valid\":false}]");
        NavigableMap<Integer, JsonNode> after = assertConsistent(token, id);
        assertThat(codes(after.get(3))).isEmpty();
        assertThat(error(after.get(4), "nid.duplicate").get("relatedRow").asInt())
                .isEqualTo(3);
        assertThat(error(after.get(4), "nid.duplicate").get("message").asText()).isEqualTo("The same NID is on row 3");
        assertSameAsFreshUpload(token, id, after);

        // the last duplicate fixed too: every row valid
        JsonNode last = edited(token, id, 4, "{\"nid\":\"" + nid(210) + "\"}");

        assertThat(last.get("record").get("valid").asBoolean()).isTrue();
        assertThat(last.get("changed")).isEmpty();
        NavigableMap<Integer, JsonNode> fixed = assertConsistent(token, id);
        assertThat(fixed.values()).allMatch(r -> r.get("valid").asBoolean());
        assertThat(summary(token, id).get("violationsByCode")).isEmpty();
        assertSameAsFreshUpload(token, id, fixed);
    }

    @Test
    void edit_createsDuplicatesOfNidAndEmail() {
        String token = SERVER.clerkToken("fixer3");
        String id = upload(token, sheet(Workbooks.person(301), Workbooks.person(302), Workbooks.person(303)));

        JsonNode nid = edited(token, id, 3, "{\"nid\":\"" + nid(301) + "\"}");
        JsonNode email = edited(token, id, 2, "{\"email\":\"PERSON303@example.com\",\"gender\":\"F\"}");

        assertThat(codes(nid.get("record"))).containsExactly("nid.duplicate");
        assertThat(nid.get("record").get("normalized").get("nid").isNull()).isTrue();
        assertThat(nid.get("changed")).isEmpty();
        assertThat(codes(email.get("record"))).containsExactly("nid.gender_mismatch");
        // a warning only: row 4 changed but stays valid
        assertThat(email.get("changed").toString()).isEqualTo("[{\"row\":4,\"valid\":true}]");
        NavigableMap<Integer, JsonNode> after = assertConsistent(token, id);
        assertThat(codes(after.get(3))).containsExactly("nid.duplicate");
        assertThat(error(after.get(3), "nid.duplicate").get("relatedRow").asInt())
                .isEqualTo(2);
        assertThat(codes(after.get(4))).containsExactly("email.duplicate");
        assertThat(error(after.get(4), "email.duplicate").get("relatedRow").asInt())
                .isEqualTo(2);
        assertSameAsFreshUpload(token, id, after);
    }

    /**
     * {@code nid.already_registered} stands beside the record's other faults, at validation and after an edit: on the
     * duplicate of a registered NID, and beside a gender that disagrees with it.
     */
    @Test
    void alreadyRegistered_besideDuplicateAndGenderMismatch() {
        String token = SERVER.clerkToken("fixer9");
        commit(token, upload(token, sheet(Workbooks.person(901))), "all");
        String[] woman = Workbooks.person(901);
        woman[3] = "F";

        String id = upload(token, sheet(Workbooks.person(901), person(902, nid(901)), woman, Workbooks.person(903)));

        NavigableMap<Integer, JsonNode> records = assertConsistent(token, id);
        assertThat(codes(records.get(2))).containsExactly("nid.already_registered");
        assertThat(codes(records.get(3))).containsExactly("nid.duplicate", "nid.already_registered");
        assertThat(codes(records.get(4)))
                .containsExactly(
                        "nid.gender_mismatch",
                        "nid.duplicate",
                        "nid.already_registered",
                        "phone.duplicate",
                        "email.duplicate");
        assertThat(codes(records.get(5))).isEmpty();

        JsonNode taken = edited(token, id, 5, "{\"nid\":\"" + nid(901) + "\",\"gender\":\"F\"}");
        assertThat(codes(taken.get("record")))
                .containsExactly("nid.gender_mismatch", "nid.duplicate", "nid.already_registered");
        JsonNode fixed = edited(token, id, 4, "{\"gender\":\"M\"}");
        assertThat(codes(fixed.get("record")))
                .containsExactly("nid.duplicate", "nid.already_registered", "phone.duplicate", "email.duplicate");
        assertSameAsFreshUpload(token, id, assertConsistent(token, id));
    }

    /**
     * A NID that another upload's commit registered after this upload was validated is found when an edit judges the
     * record again, whichever of its fields the edit changes, and after its NID was edited away and back; a fresh
     * upload of the edited sheet says the same.
     */
    @Test
    void alreadyRegistered_byACommitAfterValidation_foundByAnEdit() {
        String token = SERVER.clerkToken("fixer10");
        String id = upload(token, sheet(Workbooks.person(911), Workbooks.person(912), Workbooks.person(913)));
        assertThat(codes(assertConsistent(token, id).get(2))).isEmpty();

        commit(token, upload(token, sheet(Workbooks.person(911), Workbooks.person(914))), "all");

        assertThat(codes(edited(token, id, 2, "{\"names\":\"Another Person\"}").get("record")))
                .containsExactly("nid.already_registered");
        assertThat(codes(edited(token, id, 3, "{\"nid\":\"" + nid(914) + "\"}").get("record")))
                .containsExactly("nid.already_registered");
        assertThat(codes(edited(token, id, 3, "{\"nid\":\"" + nid(912) + "\"}").get("record")))
                .isEmpty();
        assertThat(codes(edited(token, id, 3, "{\"nid\":\"" + nid(914) + "\"}").get("record")))
                .containsExactly("nid.already_registered");
        assertSameAsFreshUpload(token, id, assertConsistent(token, id));
    }

    /**
     * The digits of a NID cell that held a number, sent as they are, make it text: a change that ends
     * {@code nid.numeric_cell} (the clerk confirms the NID), kept in the history; sent again, no change. The same
     * digits sent for a text cell are no change.
     */
    @Test
    void edit_numberCellNidSentAsItIs_confirmedAsText() {
        String token = SERVER.clerkToken("fixer11");
        String[] numbered = Workbooks.person(921);
        String[] typed = Workbooks.person(922);
        String[] typedCell = typed.clone();
        typedCell[1] = " " + typed[1]; // not digits only: a text cell, its space trimmed when read
        String id = Workbooks.accepted(
                SERVER, token, Workbooks.xlsxNumberNids(List.of(Workbooks.HEADER, numbered, typedCell)));
        Workbooks.settled(SERVER, token, id);
        assertThat(codes(assertConsistent(token, id).get(2))).containsExactly("nid.numeric_cell");

        JsonNode confirmed =
                edited(token, id, 2, "{\"nid\":\" " + numbered[1] + "\"}").get("record");
        JsonNode again =
                edited(token, id, 2, "{\"nid\":\"" + numbered[1] + "\"}").get("record");
        JsonNode same = edited(token, id, 3, "{\"nid\":\"" + typed[1] + "\"}").get("record");

        assertThat(codes(confirmed)).isEmpty();
        assertThat(confirmed.get("edited").asBoolean()).isTrue();
        assertThat(again).isEqualTo(confirmed);
        assertThat(same.get("edited").asBoolean()).isFalse();
        JsonNode history = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/2", token))
                .get("history");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("from").asText()).isEqualTo(numbered[1]);
        assertThat(history.get(0).get("to").asText()).isEqualTo(numbered[1]);
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/3", token))
                        .get("history"))
                .isEmpty();
        assertConsistent(token, id);
    }

    @Test
    void exclude_thenCommitAllAndValid() throws SQLException {
        String token = SERVER.clerkToken("fixer4");
        // two lists of other people: the first commit would make the second one's NIDs registered
        String all = upload(
                token, sheet(Workbooks.person(401), person(402, nid(401)), person(403, "bad"), Workbooks.person(404)));
        String valid = upload(
                token, sheet(Workbooks.person(451), person(452, nid(451)), person(453, "bad"), Workbooks.person(454)));
        for (String id : List.of(all, valid)) {
            JsonNode first = edited(token, id, 2, "{\"excluded\":true}");
            assertThat(first.get("record").get("excluded").asBoolean()).isTrue();
            assertThat(first.get("record").get("edited").asBoolean()).isFalse();
            // row 3 no longer duplicates an included record: it is valid now, and row 2 stays as it was
            assertThat(first.get("changed").toString()).isEqualTo("[{\"row\":3,\"valid\":true}]");
            NavigableMap<Integer, JsonNode> records = assertConsistent(token, id);
            assertThat(records.get(2).get("valid").asBoolean()).isTrue();
            assertThat(summary(token, id).get("totals").get("excluded").asLong())
                    .isEqualTo(1);
        }

        JsonNode committedAll = commit(token, all, "all");
        JsonNode committedValid = commit(token, valid, "valid");

        assertThat(committedAll.get("committed").asLong()).isEqualTo(3);
        assertThat(committedAll.get("skipped").asLong()).isEqualTo(1);
        assertThat(committedValid.get("committed").asLong()).isEqualTo(2);
        assertThat(committedValid.get("skipped").asLong()).isEqualTo(2);
        JsonNode users = TestServer.json(SERVER.get("/api/v1/users?uploadId=" + all, token));
        List<Integer> committedRows = new ArrayList<>();
        users.get("items").forEach(u -> committedRows.add(u.get("row").asInt()));
        assertThat(committedRows).containsExactly(3, 4, 5);
        assertThat(auditRows(SERVER, valid)).containsExactly(List.of("2", "excluded", "false", "true", "fixer4"));
        assertConsistent(token, all);
    }

    /** {@code totals.excludedValid} follows leaving out, putting back and the edits of a left-out record. */
    @Test
    void exclude_excludedValidCountsTheValidOnesLeftOut() {
        String token = SERVER.clerkToken("fixer7");
        String id = upload(token, sheet(Workbooks.person(601), person(602, "bad"), Workbooks.person(603)));

        edited(token, id, 3, "{\"excluded\":true}");
        assertThat(summary(token, id).get("totals").toString())
                .contains("\"valid\":2,\"invalid\":1,", "\"excluded\":1,\"excludedValid\":0");
        // fixed while left out: valid, and still left out
        edited(token, id, 3, "{\"nid\":\"" + nid(602) + "\"}");
        assertThat(summary(token, id).get("totals").toString())
                .contains("\"valid\":3,\"invalid\":0,", "\"excluded\":1,\"excludedValid\":1");
        edited(token, id, 2, "{\"excluded\":true}");
        edited(token, id, 4, "{\"excluded\":true}");
        edited(token, id, 4, "{\"excluded\":false}");
        assertThat(summary(token, id).get("totals").toString()).contains("\"excluded\":2,\"excludedValid\":2");
        assertConsistent(token, id);

        JsonNode committed = commit(token, id, "valid");

        assertThat(committed.get("committed").asLong()).isEqualTo(3 - 2);
        assertThat(committed.get("skipped").asLong()).isEqualTo(2);
    }

    @Test
    void exclude_bulkByCodeAndBack() {
        String token = SERVER.clerkToken("fixer5");
        String id = upload(
                token,
                sheet(
                        Workbooks.person(501),
                        person(502, nid(501)),
                        person(503, nid(501)),
                        Workbooks.person(504),
                        person(505, nid(504))));

        HttpResponse<String> out = SERVER.postJson(
                "/api/v1/uploads/" + id + "/records/exclude", token, "{\"code\":\"nid.duplicate\",\"excluded\":true}");

        assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
        assertThat(TestServer.json(out).get("matched").asInt()).isEqualTo(3);
        NavigableMap<Integer, JsonNode> records = assertConsistent(token, id);
        assertThat(summary(token, id).get("totals").get("excluded").asLong()).isEqualTo(3);
        assertThat(records.values())
                .filteredOn(r -> r.get("excluded").asBoolean())
                .extracting(r -> r.get("row").asInt())
                .containsExactly(3, 4, 6);
        // left out, they take no part in the duplicate rules: no longer duplicates, so valid here
        assertThat(records.values())
                .filteredOn(r -> r.get("excluded").asBoolean())
                .allSatisfy(r -> {
                    assertThat(r.get("errors")).isEmpty();
                    assertThat(r.get("valid").asBoolean()).isTrue();
                });
        assertThat(summary(token, id).get("totals").get("invalid").asLong()).isZero();
        assertThat(summary(token, id).get("violationsByCode").has("nid.duplicate"))
                .isFalse();
        assertThat(SERVER.get("/api/v1/uploads/" + id + "/records/4", token).body())
                .contains("\"history\":[{\"field\":\"excluded\",\"from\":\"false\",\"to\":\"true\",\"by\":\"fixer5\"");

        HttpResponse<String> back = SERVER.postJson(
                "/api/v1/uploads/" + id + "/records/exclude",
                token,
                "{\"status\":\"invalid\",\"field\":\"nid\",\"code\":\"nid.duplicate\",\"excluded\":false}");

        // put back by the codes they would have again
        assertThat(TestServer.json(back).get("matched").asInt()).isEqualTo(3);
        assertThat(summary(token, id).get("totals").get("excluded").asLong()).isZero();
        assertThat(summary(token, id)
                        .get("violationsByCode")
                        .get("nid.duplicate")
                        .asLong())
                .isEqualTo(3);
        assertSameAsFreshUpload(token, id, assertConsistent(token, id));
    }

    /**
     * Leaving out and putting back a large group of records sharing a value (a placeholder phone and email) at once:
     * each group is judged again once for all, and the outcome is that of one record at a time.
     */
    @Test
    void exclude_largeGroupSharingAValue_leftOutAndPutBackAtOnce() {
        String token = SERVER.clerkToken("fixer10");
        List<String[]> rows = new ArrayList<>();
        rows.add(Workbooks.HEADER);
        for (int i = 0; i < 2000; i++) {
            String[] p = Workbooks.person(20_000 + i);
            p[2] = "0788999999";
            if (i % 3 == 0) {
                p[4] = "none@example.com";
            }
            if (i % 40 == 39) {
                p[1] = "bad";
            }
            rows.add(p);
        }
        String id = upload(token, rows);
        String exclude = "/api/v1/uploads/" + id + "/records/exclude";

        HttpResponse<String> out = SERVER.postJson(exclude, token, "{\"code\":\"phone.duplicate\",\"excluded\":true}");

        assertThat(TestServer.json(out).get("matched").asInt()).isEqualTo(1999);
        NavigableMap<Integer, JsonNode> records = assertConsistent(token, id);
        assertThat(summary(token, id).get("totals").toString())
                .contains("\"invalid\":50,", "\"excluded\":1999,\"excludedValid\":1949");
        assertThat(records.values())
                .allSatisfy(r -> assertThat(codes(r)).doesNotContain("phone.duplicate", "email.duplicate"));
        assertThat(SERVER.get("/api/v1/uploads/" + id + "/records/2001", token).body())
                .contains("\"history\":[{\"field\":\"excluded\",\"from\":\"false\",\"to\":\"true\"");

        HttpResponse<String> back = SERVER.postJson(exclude, token, "{\"status\":\"excluded\",\"excluded\":false}");

        assertThat(TestServer.json(back).get("matched").asInt()).isEqualTo(1999);
        assertThat(summary(token, id).get("violationsByCode").toString())
                .contains("\"phone.duplicate\":1999", "\"email.duplicate\":666");
        assertSameAsFreshUpload(token, id, assertConsistent(token, id));
    }

    /**
     * {@code matched} counts every record the filter matches, those already in the state asked for included;
     * {@code changed} only those the request left out or put back.
     */
    @Test
    void exclude_changedCountsOnlyTheRecordsItChanged() {
        String token = SERVER.clerkToken("fixer10");
        String id = upload(token, badNamesThenOneValid(901, 3));
        String exclude = "/api/v1/uploads/" + id + "/records/exclude";
        String invalid = "{\"status\":\"invalid\",\"excluded\":";
        edited(token, id, 3, "{\"excluded\":true}");

        assertThat(counts(SERVER.postJson(exclude, token, invalid + "true}"))).containsExactly(3, 2);
        assertThat(counts(SERVER.postJson(exclude, token, invalid + "true}"))).containsExactly(3, 0);
        assertThat(counts(SERVER.postJson(exclude, token, invalid + "false}"))).containsExactly(3, 3);
        assertThat(counts(SERVER.postJson(exclude, token, invalid + "false}"))).containsExactly(3, 0);
        assertThat(summary(token, id).get("totals").get("excluded").asLong()).isZero();
        assertConsistent(token, id);
    }

    /** A sheet of {@code bad} people numbered from {@code from} whose names are too short, then a valid one. */
    private static List<String[]> badNamesThenOneValid(int from, int bad) {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < bad; i++) {
            String[] person = Workbooks.person(from + i);
            person[0] = "A";
            rows.add(person);
        }
        rows.add(Workbooks.person(from + bad));
        return sheet(rows.toArray(String[][]::new));
    }

    /**
     * A record's tag ({@code ETag}) read with it and sent back as {@code If-Match}: an edit made meanwhile, by another
     * tab or user, makes the edit 412 {@code record.changed} and changes nothing; an edit of another row, which may
     * change the record's verdict but none of its values, does not; nor does {@code *}, while a weak tag never matches.
     */
    @Test
    void edit_ifMatch_anEditMadeMeanwhileIsNotUndone() {
        String token = SERVER.clerkToken("fixer12");
        String id = upload(token, sheet(Workbooks.person(941), Workbooks.person(942), Workbooks.person(943)));
        String path = "/api/v1/uploads/" + id + "/records/";
        String read = tagOf(SERVER.get(path + 2, token));
        assertThat(read).matches("\"[0-9a-f]{24}\"");

        HttpResponse<String> first = patch(token, id, 2, read, "{\"email\":\"first@example.rw\"}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String now = tagOf(first);
        assertThat(now).isNotEqualTo(read).isEqualTo(tagOf(SERVER.get(path + 2, token)));
        HttpResponse<String> second = patch(token, id, 2, read, "{\"email\":\"second@example.rw\"}");

        assertThat(Workbooks.problemCode(second, 412)).isEqualTo("record.changed");
        assertThat(second.headers().firstValue("ETag")).contains(now);
        JsonNode record = TestServer.json(SERVER.get(path + 2, token));
        assertThat(record.get("email").asText()).isEqualTo("first@example.rw");
        assertThat(record.get("history")).hasSize(1);
        // another row made a duplicate of it: its values, and so its tag, are the same
        edited(token, id, 3, "{\"nid\":\"" + nid(941) + "\"}");
        assertThat(tagOf(SERVER.get(path + 2, token))).isEqualTo(now);
        // a tag among others, "*", and a weak tag
        assertThat(patch(token, id, 2, "\"0\", " + now, "{\"excluded\":true}").statusCode())
                .isEqualTo(200);
        assertThat(Workbooks.problemCode(
                        patch(token, id, 2, "W/" + tagOf(SERVER.get(path + 2, token)), "{\"excluded\":false}"), 412))
                .isEqualTo("record.changed");
        assertThat(patch(token, id, 2, "*", "{\"excluded\":false}").statusCode())
                .isEqualTo(200);
        assertThat(tagOf(SERVER.get(path + 2, token))).isEqualTo(now);
        // a list sent on two lines is one list
        HttpResponse<String> twoLines = SERVER.send(SERVER.request(path + 2, token)
                .header("Content-Type", "application/json")
                .header("If-Match", "\"0\"")
                .header("If-Match", now)
                .method(
                        "PATCH",
                        HttpRequest.BodyPublishers.ofString("{\"gender\":\"" + Workbooks.person(941)[3] + "\"}"))
                .build());
        assertThat(twoLines.statusCode()).as(twoLines.body()).isEqualTo(200);
        assertConsistent(token, id);
    }

    private static String tagOf(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.headers().firstValue("ETag").orElseThrow();
    }

    private static HttpResponse<String> patch(String token, String id, int row, String ifMatch, String json) {
        return SERVER.send(SERVER.request("/api/v1/uploads/" + id + "/records/" + row, token)
                .header("Content-Type", "application/json")
                .header("If-Match", ifMatch)
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    /** {@code matched} and {@code changed} of a bulk exclusion's answer. */
    private static List<Integer> counts(HttpResponse<String> answer) {
        JsonNode a = TestServer.json(answer);
        assertThat(answer.statusCode()).isEqualTo(200);
        return List.of(a.get("matched").asInt(), a.get("changed").asInt());
    }

    /**
     * The undo of a leave-out puts back the records it left out ({@code leftOutAt}, its answer's {@code at}), not a
     * record of the same filter left out before it, nor one left out after it; each leave-out's time is its own, later
     * than every edit before it.
     */
    @Test
    void exclude_putBackByLeftOutAt_onlyTheRecordsThatLeaveOutLeftOut() {
        String token = SERVER.clerkToken("fixer11");
        String id = upload(token, badNamesThenOneValid(921, 5));
        String exclude = "/api/v1/uploads/" + id + "/records/exclude";
        // row 3 left out on purpose, then every invalid record, then row 4 put back and left out again on its own
        edited(token, id, 3, "{\"excluded\":true}");
        HttpResponse<String> all = SERVER.postJson(exclude, token, "{\"status\":\"invalid\",\"excluded\":true}");
        assertThat(counts(all)).containsExactly(5, 4);
        Instant at = Instant.parse(TestServer.json(all).get("at").asText());
        JsonNode history = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/3", token))
                .get("history");
        assertThat(at).isAfter(Instant.parse(history.get(0).get("at").asText()));
        edited(token, id, 4, "{\"excluded\":false}");
        edited(token, id, 4, "{\"excluded\":true}");
        assertThat(counts(SERVER.postJson(exclude, token, "{\"status\":\"invalid\",\"excluded\":true}")))
                .containsExactly(5, 0);

        // in whole milliseconds, so a client's date type that keeps no finer digits sends it back as it was (a
        // browser's; Python's datetime writes six digits and +00:00)
        assertThat(at).isEqualTo(at.truncatedTo(ChronoUnit.MILLIS));
        String asPythonWritesIt =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx").format(at.atOffset(ZoneOffset.UTC));
        HttpResponse<String> undo =
                SERVER.postJson(exclude, token, "{\"excluded\":false,\"leftOutAt\":\"" + asPythonWritesIt + "\"}");

        // rows 2, 5 and 6 back; row 4, out by a later edit, stays out, as row 3, out before
        assertThat(counts(undo)).containsExactly(3, 3);
        assertThat(records(token, id, "&status=excluded").keySet()).containsExactly(3, 4);
        assertThat(Instant.parse(TestServer.json(undo).get("at").asText())).isAfterOrEqualTo(at);
        // the same undo again changes nothing; a filter narrows it
        assertThat(counts(SERVER.postJson(exclude, token, "{\"excluded\":false,\"leftOutAt\":\"" + at + "\"}")))
                .containsExactly(3, 0);
        assertConsistent(token, id);
    }

    /** The records left out are listed by {@code status=excluded}, and put back all at once by it. */
    @Test
    void exclude_listedAndPutBackByStatusExcluded() {
        String token = SERVER.clerkToken("fixer9");
        String[] bad = Workbooks.person(801);
        bad[0] = "A";
        String id = upload(token, sheet(bad, Workbooks.person(802), person(803, "bad"), Workbooks.person(804)));
        edited(token, id, 2, "{\"excluded\":true}");
        edited(token, id, 4, "{\"excluded\":true}");
        // fixed while left out: it leaves the left-out records' nid lists, and stays left out
        edited(token, id, 4, "{\"nid\":\"" + nid(803) + "\"}");

        assertThat(records(token, id, "&status=excluded").keySet()).containsExactly(2, 4);
        assertThat(records(token, id, "&status=excluded&field=names").keySet()).containsExactly(2);
        assertThat(records(token, id, "&status=excluded&field=nid")).isEmpty();
        assertConsistent(token, id);
        HttpResponse<String> back = SERVER.postJson(
                "/api/v1/uploads/" + id + "/records/exclude", token, "{\"status\":\"excluded\",\"excluded\":false}");

        assertThat(TestServer.json(back).get("matched").asInt()).isEqualTo(2);
        assertThat(records(token, id, "&status=excluded")).isEmpty();
        assertThat(summary(token, id).get("totals").get("excluded").asLong()).isZero();
        assertConsistent(token, id);
    }

    /**
     * Left out together by {@code status=invalid}, a record invalid by its names and the duplicate of its NID come back
     * together by the same filter: the duplicate is judged with the record before it back.
     */
    @Test
    void exclude_recordAndItsDuplicateComeBackTogether() {
        String token = SERVER.clerkToken("fixer8");
        String[] bad = Workbooks.person(701);
        bad[0] = "A";
        String id = upload(token, sheet(bad, person(702, nid(701)), Workbooks.person(703)));
        String invalid = "{\"status\":\"invalid\",\"excluded\":";

        HttpResponse<String> out =
                SERVER.postJson("/api/v1/uploads/" + id + "/records/exclude", token, invalid + "true}");
        assertThat(TestServer.json(out).get("matched").asInt()).isEqualTo(2);
        HttpResponse<String> back =
                SERVER.postJson("/api/v1/uploads/" + id + "/records/exclude", token, invalid + "false}");

        assertThat(TestServer.json(back).get("matched").asInt()).isEqualTo(2);
        NavigableMap<Integer, JsonNode> records = assertConsistent(token, id);
        assertThat(records.values()).noneMatch(r -> r.get("excluded").asBoolean());
        assertThat(codes(records.get(3))).containsExactly("nid.duplicate");
        assertSameAsFreshUpload(token, id, records);
    }

    /** An edited value is a cell's text: trimmed as a sheet's cell is when read, so a report of it reads back alike. */
    @Test
    void edit_valueTrimmedAsACellIs() {
        String token = SERVER.clerkToken("trimmer");
        String id = upload(token, sheet(Workbooks.person(651)));

        JsonNode record = edited(token, id, 2, "{\"names\":\"\\u00a0 Ann  Person\\t\",\"gender\":\" F\\r\\n\"}")
                .get("record");

        assertThat(record.get("names").asText()).isEqualTo("Ann  Person");
        assertThat(record.get("gender").asText()).isEqualTo("F");
        assertThat(SERVER.get("/api/v1/uploads/" + id + "/records/2", token).body())
                .contains("\"to\":\"Ann  Person\"");
    }

    @Test
    void edit_badInputChangesNothing() {
        String token = SERVER.clerkToken("fixer6");
        String id = upload(token, sheet(Workbooks.person(601), person(602, "1199")));
        NavigableMap<Integer, JsonNode> before = assertConsistent(token, id);
        JsonNode summaryBefore = summary(token, id);
        Map<String, String> refused = new HashMap<>();
        refused.put("{\"nid\":\"" + nid(602) + "\",\"age\":\"12\"}", "record.unknown_field");
        refused.put("{\"names\":\"" + "a".repeat(1001) + "\"}", "record.value_too_long");
        refused.put("{\"nid\":12}", "record.invalid_value");
        refused.put("{\"excluded\":\"yes\"}", "record.invalid_value");
        refused.put("{}", "request.invalid_body");
        refused.put(
                "{\"names\":\"\",\"nid\":\"\",\"phoneNumber\":\" \",\"gender\":\"\",\"email\":\"\"}", "record.blank");
        refused.put("[1]", "request.invalid_body");

        refused.forEach((body, code) -> assertThat(Workbooks.problemCode(patch(token, id, 3, body), 400))
                .as(body)
                .isEqualTo(code));
        assertThat(Workbooks.problemCode(patch(token, id, 4, "{\"names\":\"Anyone\"}"), 404))
                .isEqualTo("record.not_found");
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/uploads/" + id + "/records/1", token), 404))
                .isEqualTo("record.not_found");
        assertThat(Workbooks.problemCode(patch(token, id, 0, "{\"names\":\"Anyone\"}"), 400))
                .isEqualTo("request.invalid_parameter");
        // a row past an int: no record there, named as asked
        HttpResponse<String> far =
                SERVER.patchJson("/api/v1/uploads/" + id + "/records/4294967299", token, "{\"names\":\"Anyone\"}");
        assertThat(Workbooks.problemCode(far, 404)).isEqualTo("record.not_found");
        assertThat(TestServer.json(far).get("detail").asText())
                .isEqualTo("upload " + id + " has no record on row 4294967299");
        // a row number with a space, a tab or a line break around it, or a sign, is no row number
        for (String row : List.of("%202", "2%20", "%092", "2%0A", "+2", "%EF%BC%92")) {
            assertThat(Workbooks.problemCode(
                            SERVER.patchJson(
                                    "/api/v1/uploads/" + id + "/records/" + row, token, "{\"names\":\"Anyone\"}"),
                            400))
                    .as(row)
                    .isEqualTo("request.invalid_parameter");
        }
        // a filter member sent as null is refused, not taken for "any" (which would leave out every record)
        for (String body : List.of(
                "{\"code\":\"nid.format\"}",
                "{\"status\":null,\"excluded\":true}",
                "{\"status\":\"invalid\",\"field\":null,\"code\":null,\"excluded\":true}",
                // the time of a leave-out puts back only; it is the "at" of an answer
                "{\"excluded\":true,\"leftOutAt\":\"2026-01-01T00:00:00Z\"}",
                "{\"excluded\":false,\"leftOutAt\":\"yesterday\"}",
                "{\"excluded\":false,\"leftOutAt\":1767225600}",
                "{\"excluded\":false,\"leftOutAt\":null}")) {
            assertThat(Workbooks.problemCode(
                            SERVER.postJson("/api/v1/uploads/" + id + "/records/exclude", token, body), 400))
                    .as(body)
                    .isEqualTo("record.invalid_value");
        }
        assertThat(Workbooks.problemCode(patch(SERVER.clerkToken("stranger"), id, 3, "{\"names\":\"Anyone\"}"), 404))
                .isEqualTo("upload.not_found");

        assertThat(assertConsistent(token, id)).isEqualTo(before);
        assertThat(summary(token, id)).isEqualTo(summaryBefore);
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/3", token))
                        .get("history"))
                .isEmpty();
        // 1,000 characters are allowed
        assertThat(edited(token, id, 3, "{\"names\":\"" + "a".repeat(1000) + "\"}")
                        .get("record")
                        .get("names")
                        .asText())
                .hasSize(1000);
    }

    @Test
    void edit_pagesReadMeanwhileAreConsistent() throws Exception {
        String token = SERVER.clerkToken("fixer7");
        List<String[]> rows = sheet();
        for (int i = 0; i < 40; i++) {
            rows.add(i % 10 == 9 ? person(700 + i, nid(700)) : Workbooks.person(700 + i));
        }
        String id = upload(token, rows);
        AtomicBoolean editing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    do {
                        assertPagesConsistent(token, id, 40);
                        reads++;
                    } while (editing.get());
                    return reads;
                }));
            }
            Future<?> editor = pool.submit(() -> {
                try {
                    // NIDs made duplicates of row 2 and back, rows left out and put back: verdicts cascade both ways
                    for (int i = 0; i < 60; i++) {
                        int row = 3 + i % 39;
                        String body = switch (i % 3) {
                            case 0 -> "{\"nid\":\"" + nid(700) + "\"}";
                            case 1 -> "{\"nid\":\"" + nid(700 + row - 2) + "\"}";
                            default -> "{\"excluded\":" + (i % 2 == 0) + "}";
                        };
                        edited(token, id, row, body);
                    }
                } finally {
                    editing.set(false);
                }
            });
            editor.get(2, TimeUnit.MINUTES);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(2, TimeUnit.MINUTES)).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        assertConsistent(token, id);
    }

    /**
     * One summary and one page per filter, each read once while edits may run: the totals add up, and every page's
     * total and items agree with its filter and with each record's own verdict.
     */
    private static void assertPagesConsistent(String token, String id, int records) {
        JsonNode totals = summary(token, id).get("totals");
        assertThat(totals.get("records").asLong()).isEqualTo(records);
        assertThat(totals.get("valid").asLong() + totals.get("invalid").asLong())
                .isEqualTo(records);
        assertThat(totals.get("excluded").asLong()).isBetween(0L, (long) records);
        for (String query :
                List.of("", "&status=valid", "&status=invalid", "&code=nid.duplicate", "&status=invalid&field=nid")) {
            JsonNode page = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records?size=500" + query, token));
            JsonNode items = page.get("items");
            assertThat(page.get("totalItems").asLong()).as(query).isEqualTo(items.size());
            int previous = 0;
            for (JsonNode r : items) {
                int row = r.get("row").asInt();
                assertThat(row).as(query).isGreaterThan(previous);
                previous = row;
                boolean errors = false;
                for (JsonNode e : r.get("errors")) {
                    errors |= "error".equals(e.get("severity").asText());
                }
                assertThat(r.get("valid").asBoolean())
                        .as("%s row %d", query, row)
                        .isEqualTo(!errors);
                if (query.contains("status=valid")) {
                    assertThat(r.get("valid").asBoolean())
                            .as("%s row %d", query, row)
                            .isTrue();
                } else if (query.contains("status=invalid")) {
                    assertThat(r.get("valid").asBoolean())
                            .as("%s row %d", query, row)
                            .isFalse();
                }
                if (query.contains("code=")) {
                    assertThat(codes(r)).as("%s row %d", query, row).contains("nid.duplicate");
                }
                if (query.contains("field=")) {
                    assertThat(fields(r)).as("%s row %d", query, row).contains("nid");
                }
            }
            if (query.isEmpty()) {
                assertThat(items.size()).isEqualTo(records);
            }
        }
    }
}
