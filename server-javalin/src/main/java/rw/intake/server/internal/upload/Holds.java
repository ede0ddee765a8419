package rw.intake.server.internal.upload;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** The holds on staged uploads ({@link StagingStore#hold}): how many each upload has; thread-safe. */
final class Holds {
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    /** Whether upload {@code id} is held. */
    boolean held(String id) {
        return counts.containsKey(id);
    }

    /** The uploads held now. */
    Set<String> ids() {
        return Set.copyOf(counts.keySet());
    }

    /**
     * A hold on upload {@code id}; {@code changed} runs once it is taken, and once it is released (the first release:
     * a second is none).
     */
    StagingStore.Hold take(String id, Runnable changed) {
        counts.merge(id, 1, Integer::sum);
        changed.run();
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.getAndSet(false)) {
                counts.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
                changed.run();
            }
        };
    }
}
