package rw.intake.server.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import rw.intake.server.TestServer;

/** The headers of the page, its assets and the API, read over real HTTP. */
final class SecurityHeadersTest {
    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static HttpHeaders headers(String path, String token, int status) {
        HttpResponse<String> r = SERVER.get(path, token);
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
        assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
        assertThat(r.headers().firstValue("Cross-Origin-Opener-Policy"))
                .as(path)
                .hasValue("same-origin");
        assertThat(r.headers().firstValue("Cross-Origin-Resource-Policy"))
                .as(path)
                .hasValue("same-origin");
        assertThat(r.headers().firstValue("Permissions-Policy").orElseThrow())
                .as(path)
                .contains("camera=()")
                .contains("geolocation=()");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
                .as(path)
                .contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-eval")
                .doesNotContain("http");
        return r.headers();
    }

    @Test
    void index_pagePolicyAndNoCache() {
        HttpHeaders h = headers("/", null, 200);
        assertThat(h.firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(h.firstValue("Content-Security-Policy")).hasValue(SecurityHeaders.PAGE_POLICY);
        assertThat(h.firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'")
                .contains("script-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat(h.firstValue("Cache-Control")).hasValue("no-cache");
    }

    @Test
    void assets_cachedWithThePagePolicy() {
        for (String asset : new String[] {"/assets/app.js", "/assets/app.css", "/assets/messages/en.json"}) {
            HttpHeaders h = headers(asset, null, 200);
            assertThat(h.firstValue("Cache-Control")).as(asset).hasValue(SecurityHeaders.ASSET_CACHE);
            assertThat(h.firstValue("Content-Security-Policy")).as(asset).hasValue(SecurityHeaders.PAGE_POLICY);
        }
        assertThat(SERVER.get("/assets/app.js", null)
                        .headers()
                        .firstValue("Content-Type")
                        .orElseThrow())
                .contains("javascript");
    }

    @Test
    void api_noStoreOnPersonalData() {
        String token = SERVER.adminToken();
        HttpResponse<String> login = SERVER.postJson(
                "/api/v1/token",
                null,
                "{\"username\":\"" + TestServer.ADMIN + "\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}");
        assertThat(login.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        for (String path : new String[] {"/api/v1/uploads", "/api/v1/users"}) {
            HttpHeaders h = headers(path, token, 200);
            assertThat(h.firstValue("Cache-Control")).as(path).hasValue("no-store");
            assertThat(h.firstValue("Content-Security-Policy")).as(path).hasValue(SecurityHeaders.API_POLICY);
        }
        assertThat(headers("/api/v1/openapi.json", null, 200)
                        .firstValue("Content-Type")
                        .orElseThrow())
                .startsWith("application/json");
    }

    @Test
    void problems_carryTheHeadersToo() {
        assertThat(headers("/api/v1/uploads", null, 401).firstValue("Cache-Control"))
                .hasValue("no-store");
        assertThat(headers("/api/v1/uploads/nope", SERVER.adminToken(), 404)
                        .firstValue("Content-Type")
                        .orElseThrow())
                .startsWith("application/problem+json");
        headers("/no-such-page", null, 404);
        headers("/assets/no-such-file.js", null, 404);
    }
}
