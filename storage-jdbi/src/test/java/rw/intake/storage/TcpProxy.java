package rw.intake.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP proxy on a free port of 127.0.0.1 in front of a server (a database, Redis), standing for the network between
 * a client and it. {@linkplain #freeze Frozen}, it forwards nothing either way and takes no new connection further,
 * connections staying open, as a server that stops answering (a paused process, a network that drops packets); {@link
 * #thaw} lets everything go on. {@linkplain #cutAt Armed}, it forwards what the client sends up to the given bytes, not
 * them, then drops every connection and refuses new ones, as if the client had died in the middle of a request.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Socket> sockets = new ArrayList<>();
    private final CompletableFuture<Void> cut = new CompletableFuture<>();
    private final Object gate = new Object();
    private boolean frozen;
    private volatile byte[] marker;

    private TcpProxy(int upstreamPort) {
        this.upstreamPort = upstreamPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Thread accept = new Thread(this::accept, "tcp-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy to {@code upstreamPort} on 127.0.0.1. */
    public static TcpProxy to(int upstreamPort) {
        return new TcpProxy(upstreamPort);
    }

    /** A proxy to the server of the JDBC URL {@code jdbcUrl}, on 127.0.0.1. */
    public static TcpProxy toServerOf(String jdbcUrl) {
        int from = jdbcUrl.indexOf("//") + 2;
        String authority = jdbcUrl.substring(from, jdbcUrl.indexOf('/', from));
        return to(Integer.parseInt(authority.substring(authority.lastIndexOf(':') + 1)));
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code jdbcUrl} with its host and port replaced by the proxy's. */
    public String url(String jdbcUrl) {
        int from = jdbcUrl.indexOf("//") + 2;
        return jdbcUrl.substring(0, from) + "127.0.0.1:" + port() + jdbcUrl.substring(jdbcUrl.indexOf('/', from));
    }

    public void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    public void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    /** From now on, the first {@code bytes} the client sends are not forwarded, and the connections drop there. */
    public void cutAt(byte[] bytes) {
        marker = bytes.clone();
    }

    /** Completes once the connections were dropped. */
    public CompletableFuture<Void> cut() {
        return cut;
    }

    private void awaitThawed() throws IOException {
        synchronized (gate) {
            while (frozen) {
                try {
                    gate.wait();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while frozen", ex);
                }
            }
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                awaitThawed();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(upstream);
                }
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException ex) {
                // closed: no more connections
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[64 * 1024];
                    // the last bytes forwarded, so that the marker is found across two reads
                    byte[] tail = new byte[0];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            awaitThawed();
                            byte[] m = marker;
                            if (fromClient && m != null) {
                                byte[] seen = concat(tail, buf, n);
                                int at = indexOf(seen, m);
                                if (at >= 0) {
                                    out.write(buf, 0, Math.max(0, at - tail.length));
                                    out.flush();
                                    dropAll();
                                    return;
                                }
                                tail = Arrays.copyOfRange(seen, Math.max(0, seen.length - m.length + 1), seen.length);
                            }
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException ex) {
                        // one side, or the cut, closed the connection
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static byte[] concat(byte[] a, byte[] b, int n) {
        byte[] out = Arrays.copyOf(a, a.length + n);
        System.arraycopy(b, 0, out, a.length, n);
        return out;
    }

    private static int indexOf(byte[] in, byte[] m) {
        outer:
        for (int i = 0; i + m.length <= in.length; i++) {
            for (int j = 0; j < m.length; j++) {
                if (in[i + j] != m[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void dropAll() {
        closeQuietly(server);
        synchronized (sockets) {
            sockets.forEach(TcpProxy::closeQuietly);
        }
        cut.complete(null);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ex) {
            // already closed
        }
    }

    /** Thaws, then drops every connection and takes no more. */
    @Override
    public void close() {
        thaw();
        dropAll();
    }
}
