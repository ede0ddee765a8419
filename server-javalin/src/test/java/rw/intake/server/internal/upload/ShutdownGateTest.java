package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import rw.intake.server.internal.http.ApiException;

/** The gate shutdown closes: uploads and commits refused after, those let in before waited for. */
final class ShutdownGateTest {

    @Test
    void closed_refusesUploadsAndCommits() {
        ShutdownGate gate = new ShutdownGate();
        gate.acceptStarted();
        gate.acceptEnded();

        gate.close();

        assertThatThrownBy(gate::acceptStarted)
                .isInstanceOf(ApiException.class)
                .hasFieldOrPropertyWithValue("code", ShutdownGate.CODE);
        assertThatThrownBy(gate::commitStarted)
                .isInstanceOf(ApiException.class)
                .hasFieldOrPropertyWithValue("code", ShutdownGate.CODE);
        assertThat(gate.awaitAccepts(Duration.ZERO)).isZero();
    }

    /** An upload let in before the gate closed is waited for until it is staged (or refused), and no longer. */
    @Test
    void awaitAccepts_waitsForTheUploadLetInBefore() throws Exception {
        ShutdownGate gate = new ShutdownGate();
        gate.acceptStarted();
        gate.close();

        CompletableFuture<Integer> left = new CompletableFuture<>();
        Thread waiter = new Thread(() -> left.complete(gate.awaitAccepts(Duration.ofMinutes(1))), "gate-waiter");
        waiter.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiter.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).as("the waiter waits").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(left).isNotDone();

        gate.acceptEnded();

        assertThat(left.get(10, TimeUnit.SECONDS)).isZero();
        waiter.join();
    }

    @Test
    void awaitAccepts_givesUpAfterTheGrace() {
        ShutdownGate gate = new ShutdownGate();
        gate.acceptStarted();
        gate.close();

        assertThat(gate.awaitAccepts(Duration.ofMillis(20))).isEqualTo(1);
    }
}
