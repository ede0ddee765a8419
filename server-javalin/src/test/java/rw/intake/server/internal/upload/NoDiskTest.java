package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rw.intake.server.TestServer;

/**
 * Nothing the user uploads touches disk: while a 50,000-row workbook is received as multipart (the form Jetty would
 * spool to disk), validated, paged and committed, the server's temporary directory stays empty, the working directory
 * is unchanged (outside its sources and build output) and the only files that change are the database's own.
 */
final class NoDiskTest {

    private static Map<String, Long> files(Path root) {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).startsWith("target") && !root.relativize(p).startsWith("src"))
                    .forEach(p -> out.put(root.relativize(p).toString(), p.toFile().length()));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out;
    }

    @Test
    void upload_writesNoFile(@TempDir Path tmp, @TempDir Path db) throws IOException {
        Path work = Paths.get("").toAbsolutePath();
        Map<String, Long> workBefore = files(work);
        byte[] workbook = Workbooks.xlsx(Workbooks.people(1, 50_000));
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try (TestServer server = TestServer.start(Map.of("DB_URL", "jdbc:h2:file:" + db.resolve("intake")))) {
            String token = server.clerkToken("disk");
            var multipart = server.postMultipart("/api/v1/uploads", token, "file", "people.xlsx", workbook);
            assertThat(multipart.statusCode()).as(multipart.body()).isEqualTo(202);
            String id = TestServer.json(multipart).get("id").asText();
            assertThat(Workbooks.settled(server, token, id).get("status").asText()).isEqualTo("validated");
            assertThat(server.get("/api/v1/uploads/" + id + "/records?size=500&page=7", token).statusCode()).isEqualTo(200);
            assertThat(server.get("/api/v1/uploads/" + id + "/report.xlsx?status=all", token).statusCode()).isEqualTo(200);
            assertThat(server.get("/api/v1/uploads/" + id + "/report.csv?status=all", token).statusCode()).isEqualTo(200);
            assertThat(server.postJson("/api/v1/uploads/" + id + "/commit", token, "").statusCode()).isEqualTo(200);

            try (Stream<Path> left = Files.walk(tmp)) {
                assertThat(left.filter(p -> !p.equals(tmp)).toList()).isEmpty();
            }
            assertThat(files(work)).isEqualTo(workBefore);
            assertThat(files(db).keySet()).allSatisfy(name -> assertThat(name).startsWith("intake."));
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
    }
}
