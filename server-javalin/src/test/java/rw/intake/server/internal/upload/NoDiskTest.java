package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rw.intake.server.TestServer;

/**
 * Nothing the user uploads touches disk: while a 50,000-row workbook is received as multipart (the form Jetty would
 * spool to disk), validated, paged and committed, the server's temporary directory stays empty, the working directory
 * is unchanged (outside its sources and build output) and the only files that change are the database's own. Jetty's
 * multipart parser writes a part past its memory threshold (1 KiB by default) to {@code ${jetty.base}/work} when it has
 * no directory of its own; the test points {@code jetty.base} at an empty directory with a {@code work} folder, so a
 * part spooled there is seen too. Both folders are watched for files created at all, as a spooled part is deleted
 * once the request is done.
 */
final class NoDiskTest {

    private static Map<String, Long> files(Path root) {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).startsWith("target")
                            && !root.relativize(p).startsWith("src"))
                    .forEach(p ->
                            out.put(root.relativize(p).toString(), p.toFile().length()));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out;
    }

    @Test
    void upload_writesNoFile(@TempDir Path tmp, @TempDir Path db, @TempDir Path jettyBase) throws IOException {
        Path work = Paths.get("").toAbsolutePath();
        Map<String, Long> workBefore = files(work);
        byte[] workbook = Workbooks.xlsx(Workbooks.people(1, 50_000));
        Path spool = Files.createDirectory(jettyBase.resolve("work"));
        WatchService watch = FileSystems.getDefault().newWatchService();
        tmp.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
        spool.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        System.setProperty("jetty.base", jettyBase.toString());
        try (TestServer server = TestServer.start(Map.of("DB_URL", "jdbc:h2:file:" + db.resolve("intake")))) {
            String token = server.clerkToken("disk");
            var multipart = server.postMultipart("/api/v1/uploads", token, "file", "people.xlsx", workbook);
            assertThat(multipart.statusCode()).as(multipart.body()).isEqualTo(202);
            String id = TestServer.json(multipart).get("id").asText();
            assertThat(Workbooks.settled(server, token, id).get("status").asText())
                    .isEqualTo("validated");
            assertThat(server.get("/api/v1/uploads/" + id + "/records?size=500&page=7", token)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(server.get("/api/v1/uploads/" + id + "/report.xlsx?status=all", token)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(server.get("/api/v1/uploads/" + id + "/report.csv?status=all", token)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(server.postJson("/api/v1/uploads/" + id + "/commit", token, "")
                            .statusCode())
                    .isEqualTo(200);

            try (Stream<Path> left = Files.walk(tmp)) {
                assertThat(left.filter(p -> !p.equals(tmp)).toList()).isEmpty();
            }
            try (Stream<Path> spooled = Files.walk(jettyBase)) {
                assertThat(spooled.filter(p -> !p.equals(jettyBase) && !p.equals(spool))
                                .toList())
                        .isEmpty();
            }
            assertThat(created(watch))
                    .as("files created, even if deleted since")
                    .isEmpty();
            assertThat(files(work)).isEqualTo(workBefore);
            assertThat(files(db).keySet()).allSatisfy(name -> assertThat(name).startsWith("intake."));
        } finally {
            System.setProperty("java.io.tmpdir", saved);
            System.clearProperty("jetty.base");
            watch.close();
        }
    }

    /** The files created in the watched folders so far (the events are long delivered by the time this is asked). */
    private static List<Object> created(WatchService watch) {
        List<Object> created = new ArrayList<>();
        for (WatchKey key = watch.poll(); key != null; key = watch.poll()) {
            for (WatchEvent<?> e : key.pollEvents()) {
                created.add(key.watchable() + ": " + e.context());
            }
            key.reset();
        }
        return created;
    }
}
