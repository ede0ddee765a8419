package rw.intake.server.internal.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Stages in a line, each run once on a thread of its own executor, handing items on in order through bounded queues:
 * the first stage produces items, each middle stage turns the items it takes into items for the next, the last one
 * consumes them.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.from(readers, (Pipeline.Downstream<Chunk> out) -> { ... out.put(chunk); ... })
 *         .then(checkers, 8, (Chunk c, Pipeline.Downstream<Checked> out) -> out.put(check(c)))
 *         .to(registrars, 8, checked -> stage(checked), () -> finish());
 * p.done().whenComplete((ok, failure) -> ...);   // once every stage has ended
 * p.start();
 * p.cancel();                                      // interrupts the stages; done() fails with CancellationException
 * }</pre>
 *
 * <ul>
 *   <li><b>End marker.</b> When the first stage returns, an end marker (a type of its own, never an item) follows its
 *       last item; a middle stage passes it on once it has handed on everything, and the last stage runs its
 *       {@code end} action on it.</li>
 *   <li><b>Backpressure.</b> {@link Downstream#put} blocks while the next queue holds {@code depth} items; taking
 *       blocks until an item or the end marker is there. Nothing polls.</li>
 *   <li><b>Failure.</b> The first exception a stage throws cancels the other stages; {@link #done()} fails with it
 *       once every stage has ended, with the others' exceptions suppressed (the interrupts the cancelling caused are
 *       left out). An interrupt from outside (an executor's {@code shutdownNow}) makes a stage throw
 *       {@link InterruptedException} at its next hand-over, which ends the line the same way.</li>
 *   <li><b>Cancelling</b> interrupts the stages running and keeps those not started from running. A stage's thread
 *       leaves it with the interrupt status this pipeline gave it cleared, and {@link #done()} completes only when no
 *       stage is running, so what the stages used (a sheet being read, say) can be released there. Cancelling also
 *       leaves a stop marker in every queue: a stage that outlives its interrupt (a database driver that swallowed
 *       it while waiting) throws {@link InterruptedException} at its next take or put, rather than waiting for ever
 *       on a stage that has ended.</li>
 * </ul>
 *
 * Thread-safe: {@link #cancel()} may be called from any thread, any number of times.
 */
public final class Pipeline {

    /** The first stage: puts its items downstream and returns; the end marker follows. */
    @FunctionalInterface
    public interface Source<T> {
        void run(Downstream<T> out) throws Exception;
    }

    /** A middle stage: called for each item in order, puts any number of items downstream. */
    @FunctionalInterface
    public interface Step<I, O> {
        void accept(I item, Downstream<O> out) throws Exception;
    }

    /** The last stage: called for each item in order. */
    @FunctionalInterface
    public interface Sink<T> {
        void accept(T item) throws Exception;
    }

    /** What the last stage does on the end marker, after every item. */
    @FunctionalInterface
    public interface Ending {
        void run() throws Exception;
    }

    /** The queue to the next stage. */
    @FunctionalInterface
    public interface Downstream<T> {
        /**
         * Hands {@code item} on, waiting while the queue is full.
         *
         * @param item not null
         * @throws InterruptedException when the pipeline was cancelled or the thread interrupted; let it end the stage
         */
        void put(T item) throws InterruptedException;
    }

    /** A stage's body with the queues it uses bound. */
    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private record Stage(Executor executor, Body body) {}

    /** What a queue holds: an item, the end marker, or the stop marker that cancelling leaves. */
    private sealed interface Handoff<T> permits Item, End, Stop {}

    private record Item<T>(T value) implements Handoff<T> {}

    private record End<T>() implements Handoff<T> {}

    private record Stop<T>() implements Handoff<T> {}

    private static final class Queue<T> implements Downstream<T> {
        private final BlockingQueue<Handoff<T>> queue;
        private volatile boolean stopped;

        Queue(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("depth must be positive: " + depth);
            }
            this.queue = new ArrayBlockingQueue<>(depth);
        }

        @Override
        public void put(T item) throws InterruptedException {
            Objects.requireNonNull(item, "item");
            if (stopped) {
                throw new InterruptedException("the pipeline was cancelled");
            }
            queue.put(new Item<>(item));
        }

        void end() throws InterruptedException {
            queue.put(new End<>());
        }

        /** The next handoff; once the queue is stopped, none: whatever it holds, the take throws. */
        Handoff<T> take() throws InterruptedException {
            Handoff<T> h = queue.take();
            if (stopped || h instanceof Stop) {
                throw new InterruptedException("the pipeline was cancelled");
            }
            return h;
        }

        /**
         * Cancelling: what the queue holds is dropped for the stop marker, so that a stage which outlived its
         * interrupt (a library that swallowed it) ends at its next take or put instead of waiting for ever on a stage
         * that ended. A put waiting for room gets it, and its item may go in before the marker; the stage that takes
         * it throws all the same, as the queue is stopped first.
         */
        void stop() {
            stopped = true;
            do {
                queue.clear();
            } while (!queue.offer(new Stop<>()));
        }
    }

    /** The stages so far; the last one still needs the queue it puts into. */
    public static final class Line<T> {
        private final List<Stage> stages;
        private final List<Queue<?>> queues;
        private final Executor executor;
        private final Function<Queue<T>, Body> last;

        private Line(List<Stage> stages, List<Queue<?>> queues, Executor executor, Function<Queue<T>, Body> last) {
            this.stages = stages;
            this.queues = queues;
            this.executor = Objects.requireNonNull(executor, "executor");
            this.last = last;
        }

        /** The queues so far and {@code in}. */
        private List<Queue<?>> and(Queue<?> in) {
            List<Queue<?>> all = new ArrayList<>(queues);
            all.add(in);
            return all;
        }

        /** Adds a middle stage on {@code executor}, fed through a queue of {@code depth} items. */
        public <O> Line<O> then(Executor executor, int depth, Step<T, O> step) {
            Objects.requireNonNull(step, "step");
            Queue<T> in = new Queue<>(depth);
            List<Stage> all = new ArrayList<>(stages);
            all.add(new Stage(this.executor, last.apply(in)));
            return new Line<>(all, and(in), executor, out -> () -> {
                for (Handoff<T> h = in.take(); h instanceof Item<T> item; h = in.take()) {
                    step.accept(item.value(), out);
                }
                out.end();
            });
        }

        /**
         * Adds the last stage on {@code executor}, fed through a queue of {@code depth} items, and returns the
         * pipeline, not started.
         */
        public Pipeline to(Executor executor, int depth, Sink<T> sink, Ending ending) {
            Objects.requireNonNull(sink, "sink");
            Objects.requireNonNull(ending, "ending");
            Queue<T> in = new Queue<>(depth);
            List<Stage> all = new ArrayList<>(stages);
            all.add(new Stage(this.executor, last.apply(in)));
            all.add(new Stage(Objects.requireNonNull(executor, "executor"), () -> {
                for (Handoff<T> h = in.take(); h instanceof Item<T> item; h = in.take()) {
                    sink.accept(item.value());
                }
                ending.run();
            }));
            return new Pipeline(all, and(in));
        }
    }

    /** Starts a line with its first stage, run on {@code executor}. */
    public static <T> Line<T> from(Executor executor, Source<T> source) {
        Objects.requireNonNull(source, "source");
        return new Line<>(List.of(), List.of(), executor, out -> () -> {
            source.run(out);
            out.end();
        });
    }

    private final List<Stage> stages;
    private final List<Queue<?>> queues;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Object lock = new Object();
    // guarded by lock
    private final Thread[] running;
    private final boolean[] started;
    private final boolean[] interrupted;
    private int open;
    private boolean submitted;
    private boolean cancelled;
    private boolean ended;
    private Throwable failure;

    private Pipeline(List<Stage> stages, List<Queue<?>> queues) {
        this.stages = List.copyOf(stages);
        this.queues = List.copyOf(queues);
        this.running = new Thread[stages.size()];
        this.started = new boolean[stages.size()];
        this.interrupted = new boolean[stages.size()];
        this.open = stages.size();
    }

    /**
     * Hands every stage to its executor.
     *
     * @return this
     * @throws java.util.concurrent.RejectedExecutionException if an executor refuses its stage: the stages handed
     *         over are cancelled, and {@link #done()} fails with the same exception
     * @throws IllegalStateException if started before
     */
    public Pipeline start() {
        synchronized (lock) {
            if (submitted) {
                throw new IllegalStateException("the pipeline was started before");
            }
            submitted = true;
        }
        for (int i = 0; i < stages.size(); i++) {
            int stage = i;
            try {
                stages.get(i).executor().execute(() -> run(stage));
            } catch (RuntimeException ex) {
                end(-1, ex);
                throw ex;
            }
        }
        return this;
    }

    /**
     * Stops the line: interrupts the stages running, and keeps those not started from running. {@link #done()} fails
     * with a {@link CancellationException} once they have ended. No effect once a stage failed or all ended.
     */
    public void cancel() {
        end(-1, new CancellationException("the pipeline was cancelled"));
    }

    /**
     * Completes once no stage runs any more (every one ended, or was cancelled before it started): normally if every
     * stage returned; else exceptionally with the first failure (a {@link CancellationException} after
     * {@link #cancel()}), which dependent actions see wrapped in a {@link java.util.concurrent.CompletionException},
     * the way {@link CompletableFuture} passes failures on. Completing the returned future does not touch the stages.
     */
    public CompletableFuture<Void> done() {
        return done.copy();
    }

    private void run(int stage) {
        synchronized (lock) {
            if (cancelled) {
                return;
            }
            started[stage] = true;
            running[stage] = Thread.currentThread();
        }
        Throwable thrown = null;
        try {
            stages.get(stage).body().run();
        } catch (Throwable t) {
            thrown = t;
        }
        end(stage, thrown);
    }

    /**
     * The stage (or, -1, the caller of start or cancel) is done, with {@code thrown} or not. The first throwable
     * cancels the rest; others are suppressed into it, but for the interrupts the cancelling caused.
     */
    private void end(int stage, Throwable thrown) {
        Throwable outcome;
        synchronized (lock) {
            if (stage >= 0) {
                running[stage] = null;
                if (interrupted[stage]) {
                    Thread.interrupted();
                }
                open--;
            }
            if (thrown != null) {
                if (failure == null && open > 0 && !cancelled) {
                    failure = thrown;
                    cancelRest();
                } else if (failure == null && stage >= 0) {
                    failure = thrown;
                } else if (failure != null && stage >= 0 && !(cancelled && thrown instanceof InterruptedException)) {
                    failure.addSuppressed(thrown);
                }
            }
            if (open > 0 || ended) {
                return;
            }
            ended = true;
            outcome = failure;
        }
        if (outcome == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(outcome);
        }
    }

    private void cancelRest() {
        cancelled = true;
        for (int i = 0; i < running.length; i++) {
            if (running[i] != null) {
                interrupted[i] = true;
                running[i].interrupt();
            } else if (!started[i]) {
                started[i] = true;
                open--;
            }
        }
        for (Queue<?> q : queues) {
            q.stop();
        }
    }
}
