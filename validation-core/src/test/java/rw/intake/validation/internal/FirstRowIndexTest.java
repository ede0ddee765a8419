package rw.intake.validation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class FirstRowIndexTest {

    @ParameterizedTest(name = "[{index}] key {0}")
    @CsvSource({
        "0",
        "1",
        "250785576983",
        "4398046511103",
        "4398046511104",
        "9999999999999999",
        "-1",
        "-9223372036854775808",
        "9223372036854775807"
    })
    void firstRow_remembersTheFirstRowOfAKey(long key) {
        FirstRowIndex index = new FirstRowIndex();

        assertThat(index.firstRow(key, 2)).isZero();
        assertThat(index.firstRow(key, 3)).isEqualTo(2);
        assertThat(index.firstRow(key, 4)).isEqualTo(2);
        assertThat(index.firstRow(key + 1, 5)).isZero();
        assertThat(index.size()).isEqualTo(2);
    }

    @Test
    void firstRow_largeRowsGoToTheWideTable() {
        FirstRowIndex index = new FirstRowIndex();

        assertThat(index.firstRow(250785576983L, 5_000_000)).isZero();
        assertThat(index.firstRow(250785576983L, 5_000_001)).isEqualTo(5_000_000);
        assertThat(index.firstRow(250785576984L, 3)).isZero();
        assertThat(index.firstRow(250785576984L, 6_000_000)).isEqualTo(3);
    }

    @Test
    void firstRow_agreesWithAHashMapThroughGrowth() {
        FirstRowIndex index = new FirstRowIndex();
        Map<Long, Integer> expected = new HashMap<>();
        Random random = new Random(3);
        for (int row = 1; row <= 200_000; row++) {
            long key = random.nextInt(4) == 0 ? random.nextLong() : 250_780_000_000L + random.nextInt(150_000);
            Integer first = expected.putIfAbsent(key, row);
            assertThat(index.firstRow(key, row)).isEqualTo(first == null ? 0 : first);
        }
        assertThat(index.size()).isEqualTo(expected.size());
    }

    @Test
    void retainedBytes_staysCompact() {
        FirstRowIndex packed = new FirstRowIndex();
        FirstRowIndex wide = new FirstRowIndex();
        for (int i = 1; i <= 100_000; i++) {
            packed.firstRow(250_780_000_000L + i, i);
            wide.firstRow(1_199_480_000_000_000L + i, i);
        }

        assertThat(packed.retainedBytes() / 100_000.0).isBetween(8 * 1.25, 8 * 1.9);
        assertThat(wide.retainedBytes() / 100_000.0).isBetween(12 * 1.25, 12 * 1.9);
    }

    @Test
    void firstRow_presizedIndexDoesNotGrowUpToItsSize() {
        FirstRowIndex packed = new FirstRowIndex(10_000, true);
        FirstRowIndex wide = new FirstRowIndex(10_000, false);
        long packedBytes = packed.retainedBytes();
        long wideBytes = wide.retainedBytes();
        for (int i = 1; i <= 10_000; i++) {
            assertThat(packed.firstRow(250_780_000_000L + i, i)).isZero();
            assertThat(wide.firstRow(1_199_480_000_000_000L + i, i)).isZero();
        }

        assertThat(packed.retainedBytes()).isEqualTo(packedBytes).isLessThan(10_000 * 8 * 13 / 10 + 100);
        assertThat(wide.retainedBytes()).isEqualTo(wideBytes).isLessThan(10_000 * 12 * 13 / 10 + 100);
        assertThat(packed.firstRow(250_780_000_001L, 20_000)).isEqualTo(1);
        assertThat(wide.firstRow(1_199_480_000_000_001L, 20_000)).isEqualTo(1);
        assertThat(packed.firstRow(1L << 50, 20_001)).isZero();
        assertThat(packed.firstRow(1L << 50, 20_002)).isEqualTo(20_001);
    }

    @Test
    void firstRow_rowMustBePositive() {
        assertThatThrownBy(() -> new FirstRowIndex().firstRow(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
