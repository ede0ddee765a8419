package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class PasswordEstimatorTest {

    private final AtomicLong nanos = new AtomicLong();
    private final PasswordEstimator estimator = new PasswordEstimator(Duration.ofMinutes(1), nanos::get);

    @Test
    void entropyBits_commonLowUnusualHigh() {
        assertThat(estimator.entropyBits("password1234")).isLessThan(PasswordPolicy.MIN_ENTROPY_BITS);
        assertThat(estimator.entropyBits("mountain lake coffee drum")).isGreaterThan(PasswordPolicy.MIN_ENTROPY_BITS);
    }

    @Test
    void entropyBits_nbvcxzDefinedByItsOwnLoader() {
        estimator.entropyBits("Kigali2024!!");

        ClassLoader loader = estimator.loaderHeld().orElseThrow();
        assertThat(loader).isNotSameAs(PasswordEstimator.class.getClassLoader());
        assertThat(loader.getParent()).isSameAs(PasswordEstimator.class.getClassLoader());
    }

    @Test
    void entropyBits_estimatorKeptWhileUsed() {
        estimator.entropyBits("Kigali2024!!");
        ClassLoader first = estimator.loaderHeld().orElseThrow();

        nanos.addAndGet(Duration.ofSeconds(50).toNanos());
        estimator.entropyBits("Rubavu-beach-sunset");
        nanos.addAndGet(Duration.ofSeconds(50).toNanos());
        estimator.cleanUp();

        assertThat(estimator.loaderHeld()).containsSame(first);
    }

    @Test
    void entropyBits_estimatorUnusedForAMinute_classesAndListsCollected() {
        estimator.entropyBits("Kigali2024!!");
        WeakReference<ClassLoader> loader =
                new WeakReference<>(estimator.loaderHeld().orElseThrow());

        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        estimator.cleanUp();
        assertThat(estimator.loaderHeld()).isEmpty();
        for (int i = 0; i < 20 && loader.get() != null; i++) {
            System.gc();
        }

        assertThat(loader.get())
                .as("the estimator's class loader, after collections")
                .isNull();
        assertThat(estimator.entropyBits("password1234")).isLessThan(PasswordPolicy.MIN_ENTROPY_BITS);
        assertThat(estimator.loaderHeld()).isPresent();
    }
}
