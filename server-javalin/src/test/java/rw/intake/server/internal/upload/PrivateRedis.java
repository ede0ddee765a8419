package rw.intake.server.internal.upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@code redis-server} of the test's own (the binary on the path), on a free port of 127.0.0.1 and never the
 * machine's 6379, its files in the test's directory, persistence off unless the extra arguments turn it on; or
 * {@link #cluster three or more of them made one Redis Cluster}. {@link #close()} stops the process.
 */
final class PrivateRedis implements AutoCloseable {
    /** Redis Cluster's bus listens on the node's port plus this. */
    private static final int BUS_OFFSET = 10_000;

    private final int port;
    private final Path parent;
    private final Process process;

    private PrivateRedis(int port, Path parent, Process process) {
        this.port = port;
        this.parent = parent;
        this.process = process;
    }

    /** A Redis with persistence off, then {@code args} (later arguments win: {@code "--appendonly", "yes"}). */
    static PrivateRedis start(Path parent, String... args) {
        return start(parent, freePort(false), List.of(args));
    }

    /**
     * {@code masters} Redis nodes with cluster mode on, made one cluster with no replicas by
     * {@code redis-cli --cluster create}; returns once every node says {@code cluster_state:ok}. On failure the nodes
     * started are stopped.
     */
    static List<PrivateRedis> cluster(Path parent, int masters) {
        List<PrivateRedis> nodes = new ArrayList<>();
        try {
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (int i = 0; i < masters; i++) {
                int port = freePort(true);
                PrivateRedis node = start(
                        parent,
                        port,
                        List.of(
                                "--cluster-enabled",
                                "yes",
                                "--cluster-config-file",
                                parent.resolve("nodes-" + port + ".conf")
                                        .toAbsolutePath()
                                        .toString(),
                                "--cluster-node-timeout",
                                "5000"));
                nodes.add(node);
                create.add(node.address());
            }
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create);
            for (PrivateRedis node : nodes) {
                node.await("cluster_state:ok", "cluster", "info");
            }
            return nodes;
        } catch (RuntimeException | Error ex) {
            nodes.forEach(PrivateRedis::close);
            throw ex;
        }
    }

    private static PrivateRedis start(Path parent, int port, List<String> args) {
        Path dir = parent.resolve("redis-" + port);
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toAbsolutePath().toString()));
        command.addAll(args);
        try {
            Files.createDirectories(dir);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(parent.resolve("redis-" + port + ".log").toFile())
                    .start();
            PrivateRedis redis = new PrivateRedis(port, parent, process);
            try {
                redis.await("PONG", "ping");
            } catch (RuntimeException | Error ex) {
                redis.close();
                throw ex;
            }
            return redis;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot start redis-server (is it installed?)", ex);
        }
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** Runs {@code redis-cli} against this server; its output, after checking that it exited 0. */
    String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Polls {@code redis-cli args} (bounded: 30 s) until its output contains {@code expected}. */
    private void await(String expected, String... args) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("redis-server on port " + port + " stopped: " + log());
            }
            try {
                last = cli(args);
                if (last.contains(expected)) {
                    return;
                }
            } catch (AssertionError notYet) {
                last = notYet.getMessage();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("redis-server on port " + port + ": no " + expected + " within 30 s (" + last + ")");
    }

    private String log() {
        try {
            return Files.readString(parent.resolve("redis-" + port + ".log"));
        } catch (IOException ex) {
            return ex.toString();
        }
    }

    /** Runs a command to its end (bounded: 60 s); its output; an AssertionError if it did not exit 0. */
    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not end within 60 s: " + out);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(command + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A port that 127.0.0.1 can bind now; with {@code bus}, below 30,000 and with its cluster bus port free as well
     * (the ephemeral range would put the bus port past 65,535).
     */
    private static int freePort(boolean bus) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = bus ? 20_000 + ThreadLocalRandom.current().nextInt(10_000) : 0;
            try (ServerSocket s = new ServerSocket(port, 1, loopback)) {
                if (bus) {
                    new ServerSocket(port + BUS_OFFSET, 1, loopback).close();
                }
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new AssertionError("no free port found for a private redis-server");
    }

    /** Freezes the server (SIGSTOP): its connections stay open and nothing answers, as when its machine hangs. */
    void freeze() {
        run(List.of("kill", "-STOP", Long.toString(process.pid())));
    }

    /** Lets a frozen server go on (SIGCONT). */
    void thaw() {
        run(List.of("kill", "-CONT", Long.toString(process.pid())));
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s); closing it later does nothing more. */
    void stop() {
        close();
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
