package rw.intake.excel.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import rw.intake.validation.RawRecord;

/**
 * Reads a record stream on another thread, handing batches over through a small bounded queue, so that reading
 * (one core) and whatever the consumer does (validation, on another core) overlap. Memory stays flat: at most
 * {@code depth + 2} batches exist at a time. A failure of the reader is rethrown to the consumer as is.
 */
public final class ReadAhead {

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue;
    private final int batchSize;
    private volatile boolean cancelled;
    private Iterator<RawRecord> current = List.<RawRecord>of().iterator();
    private boolean finished;

    private record Failure(Throwable error) {
    }

    private ReadAhead(int batchSize, int depth) {
        this.batchSize = batchSize;
        this.queue = new ArrayBlockingQueue<>(depth);
    }

    /**
     * Starts reading {@code source} on {@code executor} and returns the records in order. Closing the returned
     * stream stops the reader at its next batch, waits for it and closes {@code source}.
     */
    public static Stream<RawRecord> start(Stream<RawRecord> source, Executor executor, int batchSize, int depth) {
        if (batchSize < 1 || depth < 1) {
            throw new IllegalArgumentException("batchSize and depth must be positive");
        }
        ReadAhead ahead = new ReadAhead(batchSize, depth);
        executor.execute(() -> ahead.produce(source));
        Spliterator<RawRecord> spliterator = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super RawRecord> action) {
                return ahead.next(action);
            }
        };
        return StreamSupport.stream(spliterator, false).onClose(ahead::stop);
    }

    private void produce(Stream<RawRecord> source) {
        Object last = END;
        try (source) {
            List<RawRecord> batch = new ArrayList<>(batchSize);
            Iterator<RawRecord> it = source.iterator();
            while (!cancelled && it.hasNext()) {
                batch.add(it.next());
                if (batch.size() == batchSize) {
                    queue.put(batch);
                    batch = new ArrayList<>(batchSize);
                }
            }
            if (!batch.isEmpty() && !cancelled) {
                queue.put(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            last = new Failure(new CancellationException("reading was interrupted"));
        } catch (RuntimeException | Error e) {
            last = new Failure(e);
        }
        try {
            queue.put(last);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean next(Consumer<? super RawRecord> action) {
        while (!current.hasNext()) {
            if (finished) {
                return false;
            }
            Object item = take();
            if (item == END) {
                finished = true;
                return false;
            }
            if (item instanceof Failure f) {
                finished = true;
                if (f.error() instanceof RuntimeException re) {
                    throw re;
                }
                throw (Error) f.error();
            }
            @SuppressWarnings("unchecked")
            List<RawRecord> batch = (List<RawRecord>) item;
            current = batch.iterator();
        }
        action.accept(current.next());
        return true;
    }

    private Object take() {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for records");
        }
    }

    /** Stops the reader and waits until it has let go of the sheet. */
    private void stop() {
        cancelled = true;
        while (!finished) {
            Object item = take();
            finished = item == END || item instanceof Failure;
        }
        current = List.<RawRecord>of().iterator();
    }
}
