package rw.intake.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own, never the shared server: {@code initdb} into a temporary directory and
 * {@code pg_ctl} on a free port, run as the {@code postgres} OS user ({@code runuser}; the binaries refuse root), so
 * that the test can stop and start it. Removed on close.
 */
final class PrivatePostgres implements AutoCloseable {

    private static final Path BIN = Paths.get("/usr/lib/postgresql/15/bin");
    private static final Path RUNUSER = Paths.get("/usr/sbin/runuser");

    private final Path dir;
    private final Path data;
    private final int port;
    private final Path log;

    private PrivatePostgres(Path dir, int port, Path log) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.log = log;
    }

    /** Whether this machine can run one: the binaries, {@code runuser}, and root to switch to {@code postgres}. */
    static boolean available() {
        return Files.isExecutable(BIN.resolve("initdb"))
                && Files.isExecutable(RUNUSER)
                && "root".equals(System.getProperty("user.name"));
    }

    /** Creates and starts the cluster. */
    static PrivatePostgres start(String name) {
        try {
            Path dir = Files.createTempDirectory("intake-pg-");
            run(List.of("chown", "postgres", dir.toString()));
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path log = Paths.get("target", "it-logs", name + "-postgres.log").toAbsolutePath();
            Files.createDirectories(log.getParent());
            PrivatePostgres pg = new PrivatePostgres(dir, port, log);
            pg.runLogged(asPostgres(
                    BIN.resolve("initdb").toString(),
                    "-D",
                    pg.data.toString(),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync"));
            pg.startServer();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the stopped cluster, waiting until it accepts connections. */
    void startServer() {
        runLogged(asPostgres(
                BIN.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                // no autovacuum: its ANALYZE commits too, and would wait behind a test's stalled standby like a
                // client's commit
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c autovacuum=off",
                "start"));
    }

    /** Stops the cluster (fast: open connections are ended, as when a server is shut down). */
    void stopServer() {
        runLogged(asPostgres(
                BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
    }

    /** Stops the cluster at once, as a crash would: its processes end without a clean shutdown. */
    void crash() {
        runLogged(asPostgres(
                BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop"));
    }

    /**
     * Freezes the cluster (SIGSTOP to its postmaster and every backend): connections stay open and nothing answers,
     * as when the database's machine hangs or the network drops its packets.
     */
    void freeze() {
        signal("-STOP");
    }

    /** Lets a frozen cluster go on (SIGCONT). */
    void thaw() {
        signal("-CONT");
    }

    /**
     * Signals the postmaster, then each of its processes; one that ended between the listing and its signal (a backend
     * whose connection closed) is passed over.
     */
    private void signal(String signal) {
        try {
            String postmaster =
                    Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip();
            run(List.of("kill", signal, postmaster));
            List<ProcessHandle> children = ProcessHandle.of(Long.parseLong(postmaster))
                    .orElseThrow()
                    .descendants()
                    .toList();
            for (ProcessHandle child : children) {
                try {
                    run(List.of("kill", signal, Long.toString(child.pid())));
                } catch (IllegalStateException e) {
                    if (child.isAlive()) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    private static List<String> asPostgres(String... command) {
        List<String> c = new ArrayList<>(List.of(RUNUSER.toString(), "-u", "postgres", "--"));
        c.addAll(List.of(command));
        return c;
    }

    private static void run(List<String> command) {
        run(command, null);
    }

    private void runLogged(List<String> command) {
        run(command, log);
    }

    private static void run(List<String> command, Path log) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (log != null) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        try {
            Process p = pb.start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit " + p.exitValue() + ": " + command);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                runLogged(asPostgres(
                        BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        // the directory goes whether or not the stop failed; the stop's failure is the one thrown, the other kept with
        // it
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            UncheckedIOException deleting = new UncheckedIOException(e);
            if (failure == null) {
                failure = deleting;
            } else {
                failure.addSuppressed(deleting);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
