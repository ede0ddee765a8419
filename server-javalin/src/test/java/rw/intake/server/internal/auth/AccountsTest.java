package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

/** The admin-only accounts routes over real HTTP. */
final class AccountsTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    static void assertProblem(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(TestServer.json(r).get("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(TestServer.json(r).get("title").asText())
                .as("the status's reason phrase")
                .isEqualTo(io.javalin.http.HttpStatus.forStatus(status).getMessage());
        if (status == 401) {
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(code).isPresent();
        }
    }

    static HttpResponse<String> patch(TestServer server, String path, String token, String json) {
        return server.send(server.request(path, token)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    static HttpResponse<String> login(TestServer server, String username, String password) {
        return server.postJson(
                "/api/v1/token", null, "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
    }

    private static String create(String username, String password, String role) {
        return "{\"username\":\"" + username + "\",\"password\":\"" + password + "\",\"role\":\"" + role + "\"}";
    }

    @Test
    void create_clerkWhoThenLogsIn() {
        Instant before = Instant.now().minusSeconds(1);
        HttpResponse<String> r = SERVER.postJson(
                "/api/v1/accounts", SERVER.adminToken(), create("amina", "Kigali-umuganda-2024", "clerk"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).contains("/api/v1/accounts/amina");
        JsonNode a = TestServer.json(r);
        assertThat(a.get("username").asText()).isEqualTo("amina");
        assertThat(a.get("role").asText()).isEqualTo("clerk");
        assertThat(a.get("disabled").asBoolean()).isFalse();
        assertThat(Instant.parse(a.get("createdAt").asText())).isAfter(before);
        assertThat(a.has("passwordHash")).isFalse();
        assertThat(a.size()).isEqualTo(4);

        HttpResponse<String> in = login(SERVER, "amina", "Kigali-umuganda-2024");
        assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
        String clerk = TestServer.json(in).get("access").asText();
        assertThat(SERVER.get("/api/v1/uploads", clerk).statusCode()).isEqualTo(200);

        // the Location names the account: an admin reads it there; a clerk may not, and no account is a 404
        HttpResponse<String> there =
                SERVER.get(r.headers().firstValue("Location").orElseThrow(), SERVER.adminToken());
        assertThat(there.statusCode()).as(there.body()).isEqualTo(200);
        assertThat(TestServer.json(there)).isEqualTo(a);
        assertProblem(SERVER.get("/api/v1/accounts/amina", clerk), 403, "auth.forbidden");
        assertProblem(SERVER.get("/api/v1/accounts/nobody-here", SERVER.adminToken()), 404, "account.not_found");
    }

    @Test
    void create_admin() {
        HttpResponse<String> r = SERVER.postJson(
                "/api/v1/accounts", SERVER.adminToken(), create("supervisor", "Nyamirambo-hill-walk", "admin"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(TestServer.json(r).get("role").asText()).isEqualTo("admin");
        String token = TestServer.json(login(SERVER, "supervisor", "Nyamirambo-hill-walk"))
                .get("access")
                .asText();
        assertThat(SERVER.get("/api/v1/accounts", token).statusCode()).isEqualTo(200);
    }

    @Test
    void list_showsEveryAccountWithoutHashes() {
        SERVER.clerkToken("listed");
        HttpResponse<String> r = SERVER.get("/api/v1/accounts", SERVER.adminToken());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = TestServer.json(r);
        assertThat(list.isArray()).isTrue();
        assertThat(list.findValuesAsText("username")).contains("admin", "listed");
        for (JsonNode a : list) {
            assertThat(a.properties())
                    .extracting(java.util.Map.Entry::getKey)
                    .containsExactlyInAnyOrder("username", "role", "disabled", "createdAt");
        }
    }

    @Test
    void create_usernameOfEveryAllowedCharacter() {
        // 1-64 ASCII letters, digits, '.', '_', '@' and '-', as docs/API.md and openapi.json say
        String name = "Jean.Paul_Uwase@rra-01";
        HttpResponse<String> r =
                SERVER.postJson("/api/v1/accounts", SERVER.adminToken(), create(name, "Kigali-umuganda-2024", "clerk"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(TestServer.json(r).get("username").asText()).isEqualTo(name);
        assertThat(login(SERVER, name, "Kigali-umuganda-2024").statusCode()).isEqualTo(200);
        String longest = "_".repeat(64);
        assertThat(SERVER.postJson(
                                "/api/v1/accounts",
                                SERVER.adminToken(),
                                create(longest, "Kigali-umuganda-2024", "clerk"))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void everyBody_withTrailingContentOrAMemberTwiceRefused() {
        SERVER.clerkToken("strict");
        String admin = SERVER.adminToken();
        String account = create("strict-new", "Kigali-umuganda-2024", "clerk");
        assertProblem(SERVER.postJson("/api/v1/accounts", admin, account + " xyz"), 400, "request.invalid_body");
        assertProblem(SERVER.postJson("/api/v1/accounts", admin, account + account), 400, "request.invalid_body");
        assertProblem(
                SERVER.postJson(
                        "/api/v1/accounts",
                        admin,
                        "{\"username\":\"strict-a\",\"username\":\"strict-b\","
                                + "\"password\":\"Kigali-umuganda-2024\",\"role\":\"clerk\"}"),
                400,
                "request.invalid_body");
        assertProblem(
                SERVER.postJson(
                        "/api/v1/accounts",
                        admin,
                        "{\"username\":\"strict-a\",\"password\":\"Kigali-umuganda-2024\",\"role\":\"clerk\","
                                + "\"role\":\"admin\"}"),
                400,
                "request.invalid_body");
        assertThat(SERVER.storage().accounts().find("strict-new")).isEmpty();
        assertThat(SERVER.storage().accounts().find("strict-a")).isEmpty();
        assertThat(SERVER.storage().accounts().find("strict-b")).isEmpty();

        assertProblem(
                SERVER.postJson(
                        "/api/v1/accounts/strict/password", admin, "{\"password\":\"Gisenyi-lake-kivu-shore\"} 1"),
                400,
                "request.invalid_body");
        assertProblem(
                SERVER.postJson(
                        "/api/v1/accounts/strict/password",
                        admin,
                        "{\"password\":\"Gisenyi-lake-kivu-shore\",\"password\":\"Huye-hills-at-dawn-7\"}"),
                400,
                "request.invalid_body");
        assertProblem(
                SERVER.postJson(
                        "/api/v1/accounts/strict/password",
                        admin,
                        "{\"password\":\"Gisenyi-lake-kivu-shore\",\"disabled\":true}"),
                400,
                "request.invalid_body");
        assertThat(login(SERVER, "strict", TestServer.clerkPassword("strict")).statusCode())
                .isEqualTo(200);

        assertProblem(
                patch(SERVER, "/api/v1/accounts/strict", admin, "{\"disabled\":true} {\"disabled\":false}"),
                400,
                "request.invalid_body");
        assertProblem(
                patch(SERVER, "/api/v1/accounts/strict", admin, "{\"disabled\":false,\"disabled\":true}"),
                400,
                "request.invalid_body");
        assertThat(SERVER.storage().accounts().find("strict").orElseThrow().disabled())
                .isFalse();
    }

    /**
     * A string with a surrogate escape without its pair is no text: UTF-8 has no bytes for it, so a password would be
     * hashed as if it held "?" (and two such passwords would match). Every JSON body refuses it.
     */
    @Test
    void everyBody_aSurrogateWithoutItsPairRefused() {
        SERVER.clerkToken("lone");
        String admin = SERVER.adminToken();
        String lone = "Zq8#mT2!vR9x\\ud800";

        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("lone-new", lone, "clerk")),
                400,
                "request.invalid_body");
        assertProblem(
                SERVER.postJson("/api/v1/accounts/lone/password", admin, "{\"password\":\"" + lone + "\"}"),
                400,
                "request.invalid_body");
        assertProblem(login(SERVER, "lone", lone), 400, "request.invalid_body");
        assertProblem(SERVER.postJson("/api/v1/accounts", admin, "{\"\\udc00\":1}"), 400, "request.invalid_body");
        assertThat(SERVER.storage().accounts().find("lone-new")).isEmpty();

        // a pair is a character like any other
        String paired = "Zq8#mT2!vR9x\\ud83d\\ude00";
        assertThat(SERVER.postJson("/api/v1/accounts", admin, create("paired-new", paired, "clerk"))
                        .statusCode())
                .isEqualTo(201);
        assertThat(login(SERVER, "paired-new", paired).statusCode()).isEqualTo(200);
        assertThat(login(SERVER, "paired-new", "Zq8#mT2!vR9x?").statusCode()).isEqualTo(401);
    }

    /**
     * An overlong UTF-8 form spells a character in bytes no encoder writes ("C1 A9" for "i"): decoded, two byte strings
     * would be one username, so every JSON body refuses it, as it refuses any byte that is not UTF-8.
     */
    @Test
    void everyBody_bytesThatAreNotUtf8Refused() {
        SERVER.clerkToken("overlong");
        String admin = SERVER.adminToken();
        String password = TestServer.clerkPassword("overlong");
        byte[][] names = {
            {'o', 'v', 'e', 'r', 'l', 'o', (byte) 0xC1, (byte) 0xAE, 'g'}, // "n", 2 bytes
            {'o', 'v', 'e', 'r', 'l', 'o', (byte) 0xE0, (byte) 0x81, (byte) 0xAE, 'g'}, // "n", 3 bytes
            {'o', 'v', 'e', 'r', 'l', 'o', (byte) 0xF0, (byte) 0x80, (byte) 0x81, (byte) 0xAE, 'g'}, // "n", 4 bytes
            {'o', 'v', 'e', 'r', 'l', 'o', 'n', 'g', (byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate's bytes
            {'o', 'v', 'e', 'r', 'l', 'o', 'n', 'g', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80
            }, // past U+10FFFF
        };
        for (byte[] name : names) {
            byte[] body = concat(bytes("{\"username\":\""), name, bytes("\",\"password\":\"" + password + "\"}"));
            HttpResponse<String> r = SERVER.send(SERVER.request("/api/v1/token", null)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build());
            assertProblem(r, 400, "request.invalid_body");
            int at = "{\"username\":\"".length();
            while (name[at - 13] >= 0) {
                at++;
            }
            assertThat(TestServer.json(r).get("detail").asText())
                    .isEqualTo("the body is not UTF-8 text: the bytes at offset " + at + " spell no character");
        }
        byte[] body = concat(
                bytes("{\"username\":\"overlong-new\",\"password\":\"Zq8#mT2!vR9x"),
                new byte[] {(byte) 0xC0, (byte) 0xAF},
                bytes("\",\"role\":\"clerk\"}"));
        assertProblem(
                SERVER.send(SERVER.request("/api/v1/accounts", admin)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build()),
                400,
                "request.invalid_body");
        assertThat(SERVER.storage().accounts().find("overlong-new")).isEmpty();
        // UTF-16 and UTF-32 without a byte order mark, which Jackson alone would tell by their zero bytes and read
        String json = "{\"username\":\"overlong\",\"password\":\"" + password + "\"}";
        for (String charset : List.of("UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE")) {
            HttpResponse<String> r = SERVER.send(SERVER.request("/api/v1/token", null)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.getBytes(Charset.forName(charset))))
                    .build());
            assertProblem(r, 400, "request.invalid_body");
            assertThat(TestServer.json(r).get("detail").asText())
                    .startsWith("the body is not UTF-8 text: it holds a zero byte at offset ");
        }
        // a byte order mark before UTF-8 text is read past
        HttpResponse<String> withBom = SERVER.send(SERVER.request("/api/v1/token", null)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes(json))))
                .build());
        assertThat(withBom.statusCode()).isEqualTo(200);
        assertThat(login(SERVER, "overlong", password).statusCode()).isEqualTo(200);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void create_usernameTaken() {
        SERVER.clerkToken("taken");
        assertProblem(
                SERVER.postJson(
                        "/api/v1/accounts", SERVER.adminToken(), create("taken", "Another-long-passphrase", "clerk")),
                409,
                "account.username_taken");
    }

    @Test
    void create_badInputRefused() {
        String admin = SERVER.adminToken();
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("no spaces", "Kigali-umuganda-2024", "clerk")),
                400,
                "account.invalid_username");
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("x".repeat(65), "Kigali-umuganda-2024", "clerk")),
                400,
                "account.invalid_username");
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("ok-name", "Kigali-umuganda-2024", "auditor")),
                400,
                "account.invalid_role");
        // the role is one of the schema's two values exactly, as the token's claim must be
        for (String role : new String[] {"Admin", "ADMIN", "Clerk", " clerk", "clerk "}) {
            assertProblem(
                    SERVER.postJson("/api/v1/accounts", admin, create("ok-name", "Kigali-umuganda-2024", role)),
                    400,
                    "account.invalid_role");
        }
        for (String name : new String[] {"\u00e9mile", "tab\\tname", "semi;colon", "plus+sign", ".", "..", "..."}) {
            assertProblem(
                    SERVER.postJson("/api/v1/accounts", admin, create(name, "Kigali-umuganda-2024", "clerk")),
                    400,
                    "account.invalid_username");
        }
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("ok-name", "short-pw-1", "clerk")),
                400,
                "account.password_too_short");
        // an empty member is there, and judged by the rules with their codes
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("", "Kigali-umuganda-2024", "clerk")),
                400,
                "account.invalid_username");
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("ok-name", "", "clerk")),
                400,
                "account.password_too_short");
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("ok-name", "Kigali-umuganda-2024", "")),
                400,
                "account.invalid_role");
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("ok-name", "password1234", "clerk")),
                400,
                "account.password_too_common");
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, create("ok-name", "x".repeat(257), "clerk")),
                400,
                "account.password_too_long");
        assertProblem(
                SERVER.postJson("/api/v1/accounts", admin, "{\"username\":\"ok-name\",\"role\":\"clerk\"}"),
                400,
                "request.invalid_body");
        assertProblem(SERVER.postJson("/api/v1/accounts", admin, "[1]"), 400, "request.invalid_body");
        // a member the route does not take is named, not ignored: an account asked for disabled is not made enabled
        HttpResponse<String> extra = SERVER.postJson(
                "/api/v1/accounts",
                admin,
                "{\"username\":\"ok-name\",\"password\":\"Kigali-umuganda-2024\",\"role\":\"clerk\",\"disabled\":true}");
        assertProblem(extra, 400, "request.invalid_body");
        assertThat(TestServer.json(extra).get("detail").asText()).endsWith("not [disabled]");
        HttpResponse<String> number = SERVER.postJson(
                "/api/v1/accounts",
                admin,
                create("ok-name", "Kigali-umuganda-2024", "clerk").replace("\"ok-name\"", "1"));
        assertProblem(number, 400, "request.invalid_body");
        assertThat(TestServer.json(number).get("detail").asText()).isEqualTo("\"username\" must be a string");
        assertThat(SERVER.storage().accounts().find("ok-name")).isEmpty();
    }

    @Test
    void everyRoute_clerkForbiddenAndAnonymousUnauthorized() {
        String clerk = SERVER.clerkToken("nosy");
        assertProblem(SERVER.get("/api/v1/accounts", clerk), 403, "auth.forbidden");
        assertProblem(
                SERVER.postJson("/api/v1/accounts", clerk, create("mine", "Kigali-umuganda-2024", "admin")),
                403,
                "auth.forbidden");
        assertProblem(
                SERVER.postJson("/api/v1/accounts/admin/password", clerk, "{\"password\":\"Kigali-umuganda-2024\"}"),
                403,
                "auth.forbidden");
        assertProblem(patch(SERVER, "/api/v1/accounts/admin", clerk, "{\"disabled\":true}"), 403, "auth.forbidden");
        assertProblem(SERVER.get("/api/v1/accounts", null), 401, "auth.missing_token");
        assertThat(SERVER.storage().accounts().find("mine")).isEmpty();
        assertThat(SERVER.storage().accounts().find("admin").orElseThrow().disabled())
                .isFalse();
    }

    @Test
    void password_resetByAdmin() {
        String before = SERVER.clerkToken("forgetful");
        assertThat(SERVER.get("/api/v1/uploads", before).statusCode()).isEqualTo(200);
        HttpResponse<String> r = SERVER.postJson(
                "/api/v1/accounts/forgetful/password",
                SERVER.adminToken(),
                "{\"password\":\"Gisenyi-lake-kivu-shore\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertProblem(
                login(SERVER, "forgetful", TestServer.clerkPassword("forgetful")), 401, "auth.invalid_credentials");
        HttpResponse<String> in = login(SERVER, "forgetful", "Gisenyi-lake-kivu-shore");
        assertThat(in.statusCode()).isEqualTo(200);

        // the access token issued under the old password is refused at once; one issued under the new one is not
        assertProblem(SERVER.get("/api/v1/uploads", before), 401, "auth.token_revoked");
        String after = TestServer.json(in).get("access").asText();
        assertThat(SERVER.get("/api/v1/uploads", after).statusCode()).isEqualTo(200);
    }

    @Test
    void password_refusedOrUnknown() {
        SERVER.clerkToken("keeper");
        String admin = SERVER.adminToken();
        assertProblem(
                SERVER.postJson("/api/v1/accounts/keeper/password", admin, "{\"password\":\"short\"}"),
                400,
                "account.password_too_short");
        assertProblem(
                SERVER.postJson("/api/v1/accounts/keeper/password", admin, "{\"password\":\"\"}"),
                400,
                "account.password_too_short");
        assertProblem(
                SERVER.postJson("/api/v1/accounts/keeper/password", admin, "{\"password\":\"qwertyuiop123\"}"),
                400,
                "account.password_too_common");
        assertProblem(
                SERVER.postJson("/api/v1/accounts/ghost/password", admin, "{\"password\":\"Gisenyi-lake-kivu\"}"),
                404,
                "account.not_found");
        assertThat(login(SERVER, "keeper", TestServer.clerkPassword("keeper")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void patch_disableThenEnable() {
        SERVER.clerkToken("leaver");
        String admin = SERVER.adminToken();
        HttpResponse<String> r = patch(SERVER, "/api/v1/accounts/leaver", admin, "{\"disabled\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(TestServer.json(r).get("disabled").asBoolean()).isTrue();
        assertThat(TestServer.json(r).get("username").asText()).isEqualTo("leaver");

        assertProblem(login(SERVER, "leaver", TestServer.clerkPassword("leaver")), 401, "auth.account_disabled");
        assertProblem(login(SERVER, "leaver", "not-the-password"), 401, "auth.invalid_credentials");

        HttpResponse<String> back = patch(SERVER, "/api/v1/accounts/leaver", admin, "{\"disabled\":false}");
        assertThat(TestServer.json(back).get("disabled").asBoolean()).isFalse();
        assertThat(login(SERVER, "leaver", TestServer.clerkPassword("leaver")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void patch_disabledAccountsAccessTokenRefusedAtOnce() {
        String clerk = SERVER.clerkToken("dismissed");
        String admin = SERVER.adminToken();
        assertThat(SERVER.get("/api/v1/uploads", clerk).statusCode()).isEqualTo(200);

        assertThat(patch(SERVER, "/api/v1/accounts/dismissed", admin, "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(200);
        // the access token is still within its 15 minutes, and still refused
        assertProblem(SERVER.get("/api/v1/uploads", clerk), 401, "auth.account_disabled");
        assertProblem(SERVER.get("/api/v1/users", clerk), 401, "auth.account_disabled");

        assertThat(patch(SERVER, "/api/v1/accounts/dismissed", admin, "{\"disabled\":false}")
                        .statusCode())
                .isEqualTo(200);
        // enabled again, the account's tokens from before it was disabled stay ended; a new login gets new ones
        assertProblem(SERVER.get("/api/v1/uploads", clerk), 401, "auth.token_revoked");
        assertProblem(SERVER.get("/api/v1/users", clerk), 401, "auth.token_revoked");
        HttpResponse<String> in = login(SERVER, "dismissed", TestServer.clerkPassword("dismissed"));
        assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
        String again = TestServer.json(in).get("access").asText();
        assertThat(SERVER.get("/api/v1/uploads", again).statusCode()).isEqualTo(200);

        // disabled and enabled a second time: the token from between is ended too, and the password still signs in
        patch(SERVER, "/api/v1/accounts/dismissed", admin, "{\"disabled\":true}");
        patch(SERVER, "/api/v1/accounts/dismissed", admin, "{\"disabled\":false}");
        assertProblem(SERVER.get("/api/v1/uploads", again), 401, "auth.token_revoked");
        assertThat(login(SERVER, "dismissed", TestServer.clerkPassword("dismissed"))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void disabledAndEnabledByAnotherInstance_accessTokenFromBeforeStaysRefused() {
        String clerk = SERVER.clerkToken("roundtrip");
        assertThat(SERVER.get("/api/v1/uploads", clerk).statusCode()).isEqualTo(200);
        // another instance disables and enables the account before this one reads it again
        try (TestServer other =
                TestServer.start(java.util.Map.of("DB_URL", SERVER.config().jdbcUrl()))) {
            String admin = other.adminToken();
            assertThat(patch(other, "/api/v1/accounts/roundtrip", admin, "{\"disabled\":true}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(patch(other, "/api/v1/accounts/roundtrip", admin, "{\"disabled\":false}")
                            .statusCode())
                    .isEqualTo(200);
        }
        assertProblem(afterTheRecheck(clerk), 401, "auth.token_revoked");
    }

    @Test
    void disabledByAnotherInstance_accessTokenRefusedWithinTheRecheck() {
        String clerk = SERVER.clerkToken("elsewhere");
        assertThat(SERVER.get("/api/v1/uploads", clerk).statusCode()).isEqualTo(200);

        // another instance on the same database (or the command line) sets a new password and disables the account:
        // this one learns of it by reading the account again
        assertThat(SERVER.storage().accounts().updatePassword("elsewhere", Passwords.hash("Huye-hills-at-dawn-7")))
                .isTrue();
        assertThat(SERVER.storage().accounts().setDisabled("elsewhere", true)).isPresent();
        assertProblem(afterTheRecheck(clerk), 401, "auth.account_disabled");
    }

    /**
     * An instance that never saw the account reads its state on the token's first request there, and waits for it: a
     * token disabled or revoked elsewhere is refused from that first request on, not let through while the read is on
     * its way.
     */
    @Test
    void disabledOnAnotherInstance_refusedByOneThatNeverSawTheAccount() {
        String disabled = SERVER.clerkToken("never-seen-disabled");
        String revoked = SERVER.clerkToken("never-seen-revoked");
        String admin = SERVER.adminToken();
        assertThat(patch(SERVER, "/api/v1/accounts/never-seen-disabled", admin, "{\"disabled\":true}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(SERVER.postJson(
                                "/api/v1/accounts/never-seen-revoked/password",
                                admin,
                                "{\"password\":\"Nyungwe-canopy-walk-9\"}")
                        .statusCode())
                .isEqualTo(204);
        try (TestServer other =
                TestServer.start(java.util.Map.of("DB_URL", SERVER.config().jdbcUrl()))) {
            assertProblem(other.get("/api/v1/uploads", disabled), 401, "auth.account_disabled");
            assertProblem(other.get("/api/v1/uploads", revoked), 401, "auth.token_revoked");
        }
    }

    /**
     * An account enabled again, or given a new password, on another instance signs in there: its new token is taken
     * at once by an instance that still holds the state from before, which it reads again rather than refuse a token
     * newer than that state. Its tokens from before stay refused.
     */
    @Test
    void enabledAgainOnAnotherInstance_newTokenTakenAtOnceByOneThatKnewItDisabled() {
        String before = SERVER.clerkToken("back-again");
        String admin = SERVER.adminToken();
        try (TestServer other =
                TestServer.start(java.util.Map.of("DB_URL", SERVER.config().jdbcUrl()))) {
            assertThat(other.get("/api/v1/uploads", before).statusCode()).isEqualTo(200);
            patch(SERVER, "/api/v1/accounts/back-again", admin, "{\"disabled\":true}");
            other.advance(AccountStanding.RECHECK.plusSeconds(1));
            assertProblem(other.get("/api/v1/uploads", before), 401, "auth.account_disabled");

            assertThat(patch(SERVER, "/api/v1/accounts/back-again", admin, "{\"disabled\":false}")
                            .statusCode())
                    .isEqualTo(200);
            String enabled = TestServer.json(login(SERVER, "back-again", TestServer.clerkPassword("back-again")))
                    .get("access")
                    .asText();
            assertThat(other.get("/api/v1/uploads", enabled).statusCode()).isEqualTo(200);
            assertProblem(other.get("/api/v1/uploads", before), 401, "auth.token_revoked");

            String password = "Akagera-river-bend-4";
            assertThat(SERVER.postJson(
                                    "/api/v1/accounts/back-again/password",
                                    admin,
                                    "{\"password\":\"" + password + "\"}")
                            .statusCode())
                    .isEqualTo(204);
            String renewed = TestServer.json(login(SERVER, "back-again", password))
                    .get("access")
                    .asText();
            assertThat(other.get("/api/v1/uploads", renewed).statusCode()).isEqualTo(200);
            assertProblem(other.get("/api/v1/uploads", enabled), 401, "auth.token_revoked");
        }
    }

    /**
     * An account deleted by hand (there is no route for it): its access tokens are refused as its refresh tokens are,
     * once this instance reads it again, and so are those of a name that never was an account.
     */
    @Test
    void deletedByHand_accessTokenRefusedWithinTheRecheck() throws SQLException {
        String clerk = SERVER.clerkToken("deleted-by-hand");
        assertThat(SERVER.get("/api/v1/uploads", clerk).statusCode()).isEqualTo(200);
        try (Connection c = DriverManager.getConnection(
                        SERVER.config().jdbcUrl(),
                        SERVER.config().dbUser(),
                        SERVER.config().dbPassword());
                PreparedStatement delete = c.prepareStatement("DELETE FROM accounts WHERE username = ?")) {
            delete.setString(1, "deleted-by-hand");
            assertThat(delete.executeUpdate()).isEqualTo(1);
        }
        assertProblem(afterTheRecheck(clerk), 401, "auth.invalid_token");
    }

    /**
     * The answer to the token's first request once the server's clock is past the recheck: that request has the
     * account read again, and waits for it, so a token revoked elsewhere is refused from that request on.
     */
    private static HttpResponse<String> afterTheRecheck(String token) {
        SERVER.advance(AccountStanding.RECHECK.plusSeconds(1));
        return SERVER.get("/api/v1/uploads", token);
    }

    @Test
    void patch_badBodyOrUnknownAccount() {
        SERVER.clerkToken("patched");
        String admin = SERVER.adminToken();
        assertProblem(patch(SERVER, "/api/v1/accounts/ghost", admin, "{\"disabled\":true}"), 404, "account.not_found");
        assertProblem(
                patch(SERVER, "/api/v1/accounts/patched", admin, "{\"disabled\":\"yes\"}"),
                400,
                "request.invalid_body");
        assertProblem(patch(SERVER, "/api/v1/accounts/patched", admin, "{}"), 400, "request.invalid_body");
        assertProblem(
                patch(SERVER, "/api/v1/accounts/patched", admin, "{\"disabled\":true,\"role\":\"admin\"}"),
                400,
                "request.invalid_body");
        HttpResponse<String> role = patch(SERVER, "/api/v1/accounts/patched", admin, "{\"role\":\"admin\"}");
        assertProblem(role, 400, "request.invalid_body");
        assertThat(TestServer.json(role).get("detail").asText())
                .isEqualTo("only \"disabled\" can be changed, not [role]");
        assertThat(SERVER.storage().accounts().find("patched").orElseThrow().disabled())
                .isFalse();
    }

    @Test
    void patch_lastEnabledAdminCannotBeDisabled() {
        try (TestServer server = TestServer.start()) {
            String admin = server.adminToken();
            assertProblem(
                    patch(server, "/api/v1/accounts/admin", admin, "{\"disabled\":true}"), 409, "account.last_admin");
            assertThat(server.postJson("/api/v1/accounts", admin, create("second", "Musanze-gorilla-trek", "admin"))
                            .statusCode())
                    .isEqualTo(201);
            assertThat(patch(server, "/api/v1/accounts/admin", admin, "{\"disabled\":true}")
                            .statusCode())
                    .isEqualTo(200);
            assertProblem(login(server, "admin", TestServer.ADMIN_PASSWORD), 401, "auth.account_disabled");
        }
    }
}
