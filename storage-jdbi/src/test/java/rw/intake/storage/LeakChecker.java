package rw.intake.storage;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleListener;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Cleanable;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementContextListener;

/**
 * Fails a test whose storage leaves a JDBI handle open, or a statement whose resources (result set, prepared statement)
 * were never cleaned, as jdbi3-testing's {@code JdbiLeakChecker} does (that artifact is not on Maven Central for our
 * JDBI version). Thread-safe: commits run statements on several threads.
 */
final class LeakChecker implements HandleListener, StatementContextListener {

    private final Set<Handle> handles = ConcurrentHashMap.newKeySet();
    private final Map<StatementContext, Set<Cleanable>> contexts = new ConcurrentHashMap<>();

    private LeakChecker() {}

    /** Watches every handle and statement {@code jdbi} opens from now on. */
    static LeakChecker watch(Jdbi jdbi) {
        LeakChecker checker = new LeakChecker();
        jdbi.getConfig(Handles.class).addListener(checker);
        jdbi.getConfig(SqlStatements.class).addContextListener(checker);
        return checker;
    }

    /** Throws an {@link AssertionError} naming what is still open. */
    void check() {
        if (!handles.isEmpty() || !contexts.isEmpty()) {
            StringBuilder open = new StringBuilder();
            handles.forEach(h -> open.append("\n  handle ").append(h));
            contexts.forEach((c, cleanables) -> open.append("\n  statement ")
                    .append(c.getRenderedSql())
                    .append(" with ")
                    .append(cleanables.size())
                    .append(" resources uncleaned"));
            throw new AssertionError("JDBI resources left open:" + open);
        }
    }

    @Override
    public void handleCreated(Handle handle) {
        handles.add(handle);
    }

    @Override
    public void handleClosed(Handle handle) {
        handles.remove(handle);
    }

    @Override
    public void contextCreated(StatementContext context) {
        contexts.put(context, ConcurrentHashMap.newKeySet());
    }

    @Override
    public void contextCleaned(StatementContext context) {
        contexts.remove(context);
    }

    @Override
    public void cleanableAdded(StatementContext context, Cleanable cleanable) {
        contexts.computeIfPresent(context, (c, cleanables) -> {
            cleanables.add(cleanable);
            return cleanables;
        });
    }

    @Override
    public void cleanableRemoved(StatementContext context, Cleanable cleanable) {
        contexts.computeIfPresent(context, (c, cleanables) -> {
            cleanables.remove(cleanable);
            return cleanables;
        });
    }
}
