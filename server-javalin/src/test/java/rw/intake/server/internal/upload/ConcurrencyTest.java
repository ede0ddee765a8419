package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rw.intake.server.TestServer;

/** Commits racing on the same NIDs, and readers paging while an upload validates. */
final class ConcurrencyTest {
    private static TestServer server;
    private static ExecutorService pool;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        server.close();
    }

    @Test
    void commit_sameNidsAtOnce() throws Exception {
        commitRace(server, pool);
    }

    @Test
    void records_eightReadersWhileValidating() throws Exception {
        String token = server.clerkToken("reader");
        String id = Workbooks.accepted(server, token, Workbooks.xlsx(Workbooks.people(100_000, 50_000)));
        int pages = 6;
        List<CompletableFuture<List<String>>> readers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int c = 0; c < 8; c++) {
            int client = c;
            readers.add(CompletableFuture.supplyAsync(
                    () -> {
                        await(go);
                        List<String> bodies = new ArrayList<>();
                        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                        while (bodies.size() < pages && System.nanoTime() < deadline) {
                            int page = 1 + (client + bodies.size()) % pages;
                            HttpResponse<String> r = server.get(
                                    "/api/v1/uploads/" + id + "/records?size=50&page=" + page + "&status=valid", token);
                            if (r.statusCode() == 409) {
                                assertThat(Workbooks.problemCode(r, 409)).isEqualTo("upload.not_ready");
                                assertThat(r.headers().firstValue("Retry-After"))
                                        .isPresent();
                                assertThat(bodies)
                                        .as("409 after a page was served")
                                        .isEmpty();
                                Thread.onSpinWait();
                                continue;
                            }
                            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                            bodies.add(page + " " + r.body());
                        }
                        bodies.sort(null);
                        return bodies;
                    },
                    pool));
        }
        go.countDown();

        List<String> first = readers.get(0).get(3, TimeUnit.MINUTES);
        assertThat(first).hasSize(pages);
        for (CompletableFuture<List<String>> r : readers) {
            assertThat(r.get(3, TimeUnit.MINUTES)).isEqualTo(first);
        }
        JsonNode page1 = TestServer.json(server.get("/api/v1/uploads/" + id + "/records?size=50&page=1", token));
        assertThat(page1.get("totalItems").asLong()).isEqualTo(50_000);
        assertThat(page1.get("items").get(0).get("row").asInt()).isEqualTo(2);
    }

    /** Two clerks commit uploads sharing 1,000 NIDs at the same moment: each NID ends up valid once. */
    static void commitRace(TestServer server, ExecutorService pool) throws Exception {
        // rows 1..3000 and 2001..5000: 1000 NIDs in both uploads
        String a = server.clerkToken("racer-a");
        String b = server.clerkToken("racer-b");
        String idA = Workbooks.accepted(server, a, Workbooks.xlsx(Workbooks.people(1, 3_000)));
        String idB = Workbooks.accepted(server, b, Workbooks.xlsx(Workbooks.people(2_001, 3_000)));
        assertThat(Workbooks.settled(server, a, idA).get("totals").get("valid").asLong())
                .isEqualTo(3_000);
        assertThat(Workbooks.settled(server, b, idB).get("totals").get("valid").asLong())
                .isEqualTo(3_000);
        CountDownLatch go = new CountDownLatch(1);

        CompletableFuture<HttpResponse<String>> ca = CompletableFuture.supplyAsync(
                () -> {
                    await(go);
                    return server.postJson("/api/v1/uploads/" + idA + "/commit", a, "");
                },
                pool);
        CompletableFuture<HttpResponse<String>> cb = CompletableFuture.supplyAsync(
                () -> {
                    await(go);
                    return server.postJson("/api/v1/uploads/" + idB + "/commit", b, "");
                },
                pool);
        go.countDown();

        JsonNode ra = TestServer.json(ca.get(2, TimeUnit.MINUTES));
        JsonNode rb = TestServer.json(cb.get(2, TimeUnit.MINUTES));
        assertThat(ra.get("committed").asLong()).as(ra.toString()).isEqualTo(3_000);
        assertThat(rb.get("committed").asLong()).as(rb.toString()).isEqualTo(3_000);
        assertThat(ra.get("conflicts").asLong() + rb.get("conflicts").asLong()).isEqualTo(1_000);
        String admin = server.adminToken();
        stagedAsCommitted(server, a, idA, ra.get("conflicts").asLong(), admin);
        stagedAsCommitted(server, b, idB, rb.get("conflicts").asLong(), admin);
        Set<String> nids = new HashSet<>();
        long validUsers = 0;
        for (int page = 1; ; page++) {
            JsonNode p = TestServer.json(server.get("/api/v1/users?valid=true&size=500&page=" + page, admin));
            for (JsonNode u : p.get("items")) {
                assertThat(nids.add(u.get("nid").asText()))
                        .as("NID %s twice", u.get("nid").asText())
                        .isTrue();
                validUsers++;
            }
            if (page >= p.get("totalPages").asLong()) {
                break;
            }
        }
        assertThat(validUsers).isEqualTo(5_000);
        JsonNode conflicted = TestServer.json(server.get("/api/v1/users?valid=false&size=1", admin));
        assertThat(conflicted.get("totalItems").asLong()).isEqualTo(1_000);
        assertThat(conflicted.get("items").get(0).get("errors").toString()).contains("nid.already_registered");
    }

    /** The staged upload of 3,000 valid records says what the commit made of it: its conflicts are invalid now. */
    private static void stagedAsCommitted(TestServer server, String token, String id, long conflicts, String admin) {
        String upload = "/api/v1/uploads/" + id;
        JsonNode summary = TestServer.json(server.get(upload, token));
        assertThat(summary.get("status").asText()).isEqualTo("committed");
        assertThat(summary.get("totals").get("valid").asLong()).isEqualTo(3_000 - conflicts);
        assertThat(summary.get("totals").get("invalid").asLong()).isEqualTo(conflicts);
        JsonNode byCode = summary.get("violationsByCode").get("nid.already_registered");
        assertThat(byCode == null ? 0 : byCode.asLong()).isEqualTo(conflicts);
        JsonNode valid = TestServer.json(server.get(upload + "/records?size=1&status=valid", token));
        assertThat(valid.get("totalItems").asLong()).isEqualTo(3_000 - conflicts);
        JsonNode marked = TestServer.json(server.get(upload + "/records?size=50&code=nid.already_registered", token));
        assertThat(marked.get("totalItems").asLong()).isEqualTo(conflicts);
        if (conflicts == 0) {
            return;
        }
        JsonNode staged = marked.get("items").get(0);
        assertThat(staged.get("valid").asBoolean()).isFalse();
        int row = staged.get("row").asInt();
        JsonNode committed = null;
        for (int page = 1; committed == null; page++) {
            JsonNode p = TestServer.json(server.get("/api/v1/users?uploadId=" + id + "&size=500&page=" + page, admin));
            assertThat(p.get("items").size())
                    .as("row %d among the committed users", row)
                    .isPositive();
            for (JsonNode u : p.get("items")) {
                if (u.get("row").asInt() == row) {
                    committed = u;
                }
            }
        }
        assertThat(staged.get("errors")).isEqualTo(committed.get("errors"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
