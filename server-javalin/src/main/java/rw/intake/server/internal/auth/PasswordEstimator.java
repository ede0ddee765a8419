package rw.intake.server.internal.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * nbvcxz's password estimator, loaded when a password is checked and let go when none has been for a while.
 *
 * <p>nbvcxz keeps its lists of common passwords, words and names in static fields, loaded with its classes. Loaded by
 * the application's class loader they would stay for the life of the process, for the few moments an account is
 * created or a password changed. So nbvcxz's classes (and {@link NbvcxzEntropy}, which calls it) are defined by a
 * class loader of their own, from the same class files; when the estimator has not been used for {@code kept}, the
 * loader is dropped, and the collector unloads its classes and frees the lists. The next check loads them again.
 * Thread-safe.
 */
final class PasswordEstimator {

    private static final String NBVCXZ_PACKAGE = "me.gosimple.nbvcxz.";

    private final Cache<Boolean, ToDoubleFunction<String>> loaded;

    /** Keeps the estimator for {@code kept} after its last use; expiry is timed by {@code ticker}. */
    PasswordEstimator(Duration kept, Ticker ticker) {
        this.loaded = Caffeine.newBuilder()
                .expireAfterAccess(kept)
                .ticker(ticker)
                .scheduler(Scheduler.systemScheduler())
                .build();
    }

    /** log2 of the guesses nbvcxz says the password would take. */
    double entropyBits(String password) {
        ToDoubleFunction<String> entropy = loaded.get(Boolean.TRUE, k -> load());
        synchronized (entropy) {
            return entropy.applyAsDouble(password);
        }
    }

    /** The class loader of the estimator held now, if one is. */
    Optional<ClassLoader> loaderHeld() {
        return Optional.ofNullable(loaded.getIfPresent(Boolean.TRUE))
                .map(e -> e.getClass().getClassLoader());
    }

    /** Drops an estimator unused for longer than it is kept now, rather than when the scheduler gets to it. */
    void cleanUp() {
        loaded.cleanUp();
    }

    private static ToDoubleFunction<String> load() {
        ClassLoader loader = new IsolatingLoader(PasswordEstimator.class.getClassLoader());
        try {
            @SuppressWarnings("unchecked")
            ToDoubleFunction<String> entropy =
                    (ToDoubleFunction<String>) loader.loadClass(NbvcxzEntropy.class.getName())
                            .getConstructor()
                            .newInstance();
            return entropy;
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot load the password estimator", ex);
        }
    }

    /**
     * Defines nbvcxz's classes and {@link NbvcxzEntropy} itself, from the class files its parent sees; asks the parent
     * for every other class and for resources (nbvcxz's lists are read as resources).
     */
    private static final class IsolatingLoader extends ClassLoader {

        static {
            registerAsParallelCapable();
        }

        IsolatingLoader(ClassLoader parent) {
            super("password-estimator", parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(NBVCXZ_PACKAGE) && !name.equals(NbvcxzEntropy.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    byte[] bytes = classFile(name);
                    c = defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        private byte[] classFile(String name) throws ClassNotFoundException {
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                return in.readAllBytes();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
