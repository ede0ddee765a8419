package rw.intake.server.internal.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;
import rw.intake.server.internal.upload.Workbooks;

/** The first version's README walkthrough, with its exact request shapes (part {@code usersfile}, trailing slashes). */
final class LegacyRoutesTest {
    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    @Test
    void walkthrough_uploadValidatedCommitSaved() {
        SERVER.clerkToken("legacy");
        HttpResponse<String> login =
                SERVER.postJson("/api/v1/token/", null, "{\"username\":\"legacy\",\"password\":\"legacy-password\"}");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String token = TestServer.json(login).get("access").asText();
        List<String[]> rows = new ArrayList<>();
        rows.add(Workbooks.HEADER);
        rows.add(new String[] {"Bob Kagabo", "1199480035534601", "0785576983", "M", "bob@gmail.com"});
        rows.add(new String[] {"Ann Uwase", "1199870012345678", "0722000111", "Female", "ann@example.rw"});
        rows.add(new String[] {"X", "12345", "0785576983", "Q", "not-an-email"});

        HttpResponse<String> upload =
                SERVER.postMultipart("/api/v1/upload/", token, "usersfile", "users.xlsx", Workbooks.xlsx(rows));

        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
        JsonNode ok = TestServer.json(upload);
        assertThat(ok.get("status").asText()).isEqualTo("ok");
        assertThat(ok.get("description").asText()).isEqualTo("Data uploaded, records are being validated");

        HttpResponse<String> validated = SERVER.get("/api/v1/validatedusers/?page=1&size=2", token);
        assertThat(validated.statusCode()).as(validated.body()).isEqualTo(200);
        JsonNode page = TestServer.json(validated);
        assertThat(page.get("status").asText()).isEqualTo("ok");
        assertThat(page.get("totalItems").asLong()).isEqualTo(3);
        assertThat(page.get("totalPages").asLong()).isEqualTo(2);
        JsonNode bob = page.get("data").get(0);
        assertThat(bob.get("names").asText()).isEqualTo("Bob Kagabo");
        assertThat(bob.get("phone_number").asText()).isEqualTo("+250785576983");
        assertThat(bob.get("valid").asBoolean()).isTrue();
        for (String flag : List.of("names_valid", "nid_valid", "phone_valid", "gender_valid", "email_valid")) {
            assertThat(bob.get(flag).asBoolean()).as(flag).isTrue();
        }
        JsonNode bad = TestServer.json(SERVER.get("/api/v1/validatedusers/?page=2&size=2", token))
                .get("data")
                .get(0);
        assertThat(bad.get("valid").asBoolean()).isFalse();
        assertThat(bad.get("nid_valid").asBoolean()).isFalse();
        assertThat(bad.get("gender_valid").asBoolean()).isFalse();
        assertThat(bad.get("email_valid").asBoolean()).isFalse();
        assertThat(bad.get("errors")).isNotEmpty();
        JsonNode dup = null;
        for (JsonNode e : bad.get("errors")) {
            if ("phone.duplicate".equals(e.get("code").asText())) {
                dup = e;
            }
        }
        assertThat(dup).isNotNull();
        assertThat(dup.get("related_row").asInt()).isEqualTo(2);

        HttpResponse<String> commit = SERVER.send(SERVER.request("/api/v1/commit/", token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);
        assertThat(TestServer.json(commit).get("status").asText()).isEqualTo("ok");
        assertThat(TestServer.json(commit).get("description").asText()).isEqualTo("saved to DB");

        JsonNode saved = TestServer.json(SERVER.get("/api/v1/savedusers/?page=1&size=10", token));
        assertThat(saved.get("status").asText()).isEqualTo("ok");
        assertThat(saved.get("totalItems").asLong()).isEqualTo(3);
        assertThat(saved.get("data").get(0).get("nid").asText()).isEqualTo("1199480035534601");
        assertThat(saved.get("data").get(0).get("phone_valid").asBoolean()).isTrue();
        assertThat(saved.get("data").get(2).get("valid").asBoolean()).isFalse();

        HttpResponse<String> again = SERVER.send(SERVER.request("/api/v1/commit/", token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(Workbooks.problemCode(again, 409)).isEqualTo("upload.already_committed");
    }

    @Test
    void validatedUsers_noUploadYet() {
        String token = SERVER.clerkToken("nobody-uploaded");

        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/validatedusers/", token), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(
                        SERVER.send(SERVER.request("/api/v1/commit/", token)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build()),
                        404))
                .isEqualTo("upload.not_found");
    }

    /**
     * The legacy commit takes the body of {@code POST /api/v1/uploads/{id}/commit}: none (all records, as the first
     * version), or {@code {"records":"valid"|"all"}}; anything else commits nothing, since a commit cannot be undone.
     */
    @Test
    void commit_takesTheCommitBody() {
        String token = SERVER.clerkToken("legacy-valid-only");
        List<String[]> rows = new ArrayList<>(Workbooks.people(900_000, 2));
        rows.add(new String[] {"X", "12345", "0785576983", "Q", "not-an-email"});
        assertThat(SERVER.postMultipart("/api/v1/upload/", token, "usersfile", "users.xlsx", Workbooks.xlsx(rows))
                        .statusCode())
                .isEqualTo(200);

        for (String body : List.of("{\"records\":\"invalid\"}", "{\"record\":\"valid\"}", "[]", "records=valid")) {
            assertThat(Workbooks.problemCode(SERVER.postJson("/api/v1/commit/", token, body), 400))
                    .as(body)
                    .isIn("request.invalid_body", "request.invalid_parameter");
        }
        assertThat(TestServer.json(SERVER.get("/api/v1/savedusers/", token))
                        .get("totalItems")
                        .asLong())
                .isZero();

        HttpResponse<String> commit = SERVER.postJson("/api/v1/commit/", token, "{\"records\":\"valid\"}");

        assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);
        assertThat(TestServer.json(commit).get("description").asText()).isEqualTo("saved to DB");
        JsonNode saved = TestServer.json(SERVER.get("/api/v1/savedusers/", token));
        assertThat(saved.get("totalItems").asLong()).isEqualTo(2);
        for (JsonNode user : saved.get("data")) {
            assertThat(user.get("valid").asBoolean()).isTrue();
        }
    }

    /**
     * The legacy routes answer for the caller's most recent upload: once it is released (deleted, or committed and
     * deleted), they say so, and never commit or show an older upload in its place.
     */
    @Test
    void commit_theMostRecentUploadGone_anOlderOneIsNotCommitted() {
        String token = SERVER.clerkToken("legacy-latest");
        byte[] abandoned = Workbooks.xlsx(Workbooks.people(910_000, 3));
        byte[] corrected = Workbooks.xlsx(Workbooks.people(920_000, 2));
        assertThat(SERVER.postMultipart("/api/v1/upload/", token, "usersfile", "old.xlsx", abandoned)
                        .statusCode())
                .isEqualTo(200);
        assertThat(SERVER.postMultipart("/api/v1/upload/", token, "usersfile", "new.xlsx", corrected)
                        .statusCode())
                .isEqualTo(200);
        String newest = newestUpload(token);
        assertThat(SERVER.delete("/api/v1/uploads/" + newest, token).statusCode())
                .isEqualTo(204);
        // a refused file is no upload: the deleted one is still the most recent
        assertThat(SERVER.postMultipart(
                                "/api/v1/upload/",
                                token,
                                "usersfile",
                                "users.pdf",
                                "%PDF-1.7\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .statusCode())
                .isEqualTo(400);

        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/validatedusers/", token), 404))
                .isEqualTo("upload.not_found");
        assertThat(Workbooks.problemCode(legacyCommit(token), 404)).isEqualTo("upload.not_found");
        assertThat(TestServer.json(SERVER.get("/api/v1/savedusers/", token))
                        .get("totalItems")
                        .asLong())
                .isZero();

        // committed, then released: a commit sent again is told so, by both routes
        assertThat(SERVER.postMultipart("/api/v1/upload/", token, "usersfile", "new.xlsx", corrected)
                        .statusCode())
                .isEqualTo(200);
        assertThat(legacyCommit(token).statusCode()).isEqualTo(200);
        String committed = newestUpload(token);
        assertThat(SERVER.delete("/api/v1/uploads/" + committed, token).statusCode())
                .isEqualTo(204);
        assertThat(Workbooks.problemCode(legacyCommit(token), 409)).isEqualTo("upload.already_committed");
        assertThat(Workbooks.problemCode(SERVER.postJson("/api/v1/uploads/" + committed + "/commit", token, "{}"), 409))
                .isEqualTo("upload.already_committed");
        // and the preview refuses as the commit does
        assertThat(Workbooks.problemCode(SERVER.get("/api/v1/uploads/" + committed + "/commit-preview", token), 409))
                .isEqualTo("upload.already_committed");
        // to another clerk, the released upload is unknown, as any other's
        assertThat(Workbooks.problemCode(
                        SERVER.postJson(
                                "/api/v1/uploads/" + committed + "/commit", SERVER.clerkToken("legacy-other"), "{}"),
                        404))
                .isEqualTo("upload.not_found");
        JsonNode saved = TestServer.json(SERVER.get("/api/v1/savedusers/", token));
        assertThat(saved.get("totalItems").asLong()).isEqualTo(2);
        assertThat(saved.get("data").get(0).get("nid").asText()).isEqualTo(Workbooks.person(920_000)[1]);
    }

    /** The id of the caller's newest upload, as {@code GET /api/v1/uploads} lists it. */
    private static String newestUpload(String token) {
        return TestServer.json(SERVER.get("/api/v1/uploads", token))
                .get(0)
                .get("id")
                .asText();
    }

    private static HttpResponse<String> legacyCommit(String token) {
        return SERVER.send(SERVER.request("/api/v1/commit/", token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    @Test
    void upload_refusedFileIsProblem() {
        String token = SERVER.clerkToken("legacy-bad");

        HttpResponse<String> r = SERVER.postMultipart(
                "/api/v1/upload/",
                token,
                "usersfile",
                "users.pdf",
                "%PDF-1.7\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(Workbooks.problemCode(r, 400)).isEqualTo("file.unsupported_format");
    }
}
