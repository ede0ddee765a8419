package rw.intake.server.internal.upload;

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
 * A TCP proxy on a free port of 127.0.0.1 in front of a server, standing for the network of one instance: once
 * {@link #cutAt armed}, it forwards what the instance sends up to the given bytes, not them, then drops every
 * connection and refuses new ones, as if the instance had died in the middle of a request.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Socket> sockets = new ArrayList<>();
    private final CompletableFuture<Void> cut = new CompletableFuture<>();
    private volatile byte[] marker;

    private CuttingProxy(int upstreamPort) {
        this.upstreamPort = upstreamPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Thread accept = new Thread(this::accept, "cutting-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy to {@code upstreamPort} on 127.0.0.1. */
    static CuttingProxy to(int upstreamPort) {
        return new CuttingProxy(upstreamPort);
    }

    int port() {
        return server.getLocalPort();
    }

    /** From now on, the first {@code bytes} the instance sends are not forwarded, and the connections drop there. */
    void cutAt(byte[] bytes) {
        marker = bytes.clone();
    }

    /** Completes once the connections were dropped. */
    CompletableFuture<Void> cut() {
        return cut;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
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

    private void pump(Socket from, Socket to, boolean watched) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[64 * 1024];
                    // the last bytes forwarded, so that the marker is found across two reads
                    byte[] tail = new byte[0];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            byte[] m = marker;
                            if (watched && m != null) {
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
                        // the other side or the cut closed the connection
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "cutting-proxy-pump");
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
            for (Socket s : sockets) {
                closeQuietly(s);
            }
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

    @Override
    public void close() {
        dropAll();
    }
}
