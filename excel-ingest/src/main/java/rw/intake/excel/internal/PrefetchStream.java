package rw.intake.excel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream ahead on a thread of its own, a few buffers at a time, so that what produces the bytes (inflating a
 * large zip entry) and what consumes them (the zip pass's counting and scanning) run on two cores at once. A failure of
 * the source is thrown by the next {@link #read}; {@link #close()} stops the thread and closes the source.
 */
final class PrefetchStream extends InputStream {

    private static final int BUFFERS = 4;

    private record Chunk(byte[] data, int length, IOException failure) {}

    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread reader;
    private Chunk current;
    private int offset;
    private boolean ended;

    PrefetchStream(InputStream source, int bufferSize) {
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[bufferSize]);
        }
        reader = new Thread(() -> readAhead(source), "intake-inflate");
        reader.setDaemon(true);
        reader.start();
    }

    private void readAhead(InputStream source) {
        try (source) {
            while (true) {
                byte[] buffer = free.take();
                int n = source.readNBytes(buffer, 0, buffer.length);
                if (n <= 0) {
                    full.put(new Chunk(null, -1, null));
                    return;
                }
                full.put(new Chunk(buffer, n, null));
            }
        } catch (IOException | RuntimeException e) {
            IOException failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            full.offer(new Chunk(null, -1, failure));
        } catch (InterruptedException e) {
            // closed by the consumer
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (ended) {
            return -1;
        }
        if (current == null) {
            try {
                current = full.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while inflating");
            }
            offset = 0;
            if (current.failure() != null) {
                ended = true;
                throw current.failure();
            }
            if (current.length() < 0) {
                ended = true;
                return -1;
            }
        }
        int n = Math.min(len, current.length() - offset);
        System.arraycopy(current.data(), offset, b, off, n);
        offset += n;
        if (offset == current.length()) {
            free.add(current.data());
            current = null;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        reader.interrupt();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
