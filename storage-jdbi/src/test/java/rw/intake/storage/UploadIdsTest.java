package rw.intake.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UploadIdsTest {

    @Test
    void next_isAVersion7UuidOfNow() {
        long before = System.currentTimeMillis();
        String id = UploadIds.next();
        long after = System.currentTimeMillis();

        UUID uuid = UUID.fromString(id);
        assertThat(uuid.toString()).isEqualTo(id).hasSize(36);
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(uuid.getMostSignificantBits() >>> 16).isBetween(before, after + 1);
    }

    @Test
    void next_ascendsAsTextEvenWithinOneMillisecond() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ids.add(UploadIds.next());
        }

        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(new HashSet<>(ids.stream().map(s -> s.substring(0, 13)).toList()).size())
                .isLessThan(ids.size());
    }

    @Test
    void next_isUniqueAcrossThreads() throws InterruptedException {
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 5_000; i++) {
                    ids.add(UploadIds.next());
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }

        assertThat(ids).hasSize(20_000).doesNotHaveDuplicates();
    }
}
