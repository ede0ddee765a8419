package rw.intake.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class BatchValidatorTest {

    /** Two records that differ only in one field: what the second gets. */
    @ParameterizedTest(name = "[{index}] {0}: \"{1}\" then \"{2}\" -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "NID          | 1199480035534601      | 1199480035534601      | nid.duplicate",
                "NID          | '1199 4800 3553 4601' | 1199480035534601      | nid.duplicate",
                "NID          | 4199480035534601      | 4199480035534601      | nid.category nid.duplicate",
                "NID          | 1202780035534601      | 1202780035534601      | nid.birth_year nid.duplicate",
                "NID          | 1199480035534601      | 1199470035534601      | nid.gender_mismatch",
                "NID          | 119948003553460       | 119948003553460       | nid.format",
                "NID          | 11994800355346O1      | 11994800355346O1      | nid.format",
                "PHONE_NUMBER | 0785576983            | +250 785 576 983      | phone.duplicate",
                "PHONE_NUMBER | 785576983             | 00250785576983        | phone.duplicate",
                "PHONE_NUMBER | 0785576983            | 0785576984            | ''",
                "PHONE_NUMBER | 0742123456            | 0742123456            | phone.invalid",
                "EMAIL        | bob@gmail.com         | BOB@Gmail.COM         | email.duplicate",
                "EMAIL        | bob@gmail.com         | bob@gmail.co          | ''",
                "EMAIL        | bobby@yahoo           | bobby@yahoo           | email.invalid",
            })
    void next_duplicates(Field field, String first, String second, String codes) {
        BatchValidator batch = Records.VALIDATOR.newBatch();
        ValidatedRecord one = batch.next(distinct(2, field, first));
        ValidatedRecord two = batch.next(distinct(3, field, second));

        assertThat(Records.codes(one)).doesNotContain("duplicate");
        assertThat(Records.codes(two)).isEqualTo(Records.expected(codes));
        assertThat(two.violations())
                .filteredOn(v -> v.code().endsWith(".duplicate"))
                .allSatisfy(v -> assertThat(v.relatedRow()).isEqualTo(2));
    }

    /** A valid record on this row whose other unique fields differ from every other row's. */
    private static RawRecord distinct(int row, Field field, String value) {
        String nid = field == Field.NID ? value : "11994800355" + String.format("%05d", row);
        String phone = field == Field.PHONE_NUMBER ? value : "07881" + String.format("%05d", row);
        String email = field == Field.EMAIL ? value : "person" + row + "@example.rw";
        return new RawRecord(row, "Bob Kagabo", nid, phone, "M", email, false, false);
    }

    @Test
    void next_everyLaterOccurrenceNamesTheFirst() {
        BatchValidator batch = Records.VALIDATOR.newBatch();

        List<ValidatedRecord> out =
                Stream.of(2, 5, 9).map(row -> batch.next(Records.valid(row))).toList();

        assertThat(out.get(0).violations()).isEmpty();
        assertThat(out.get(0).valid()).isTrue();
        for (ValidatedRecord r : out.subList(1, 3)) {
            assertThat(r.violations())
                    .extracting(Violation::code, Violation::severity, Violation::relatedRow)
                    .containsExactly(
                            tuple("nid.duplicate", Severity.ERROR, 2),
                            tuple("phone.duplicate", Severity.WARNING, 2),
                            tuple("email.duplicate", Severity.WARNING, 2));
            assertThat(r.valid()).isFalse();
            assertThat(r.normalized().nid()).isNull();
            assertThat(r.normalized().phoneNumber()).isEqualTo("+250785576983");
            assertThat(r.violations().get(0).message()).isEqualTo("The same NID is on row 2");
        }
    }

    @Test
    void next_phoneAndEmailDuplicatesAreWarningsOnly() {
        BatchValidator batch = Records.VALIDATOR.newBatch();
        batch.next(Records.valid(2));

        ValidatedRecord r = batch.next(Records.with(3, Field.NID, "1199580035534601"));

        assertThat(Records.codes(r)).isEqualTo("phone.duplicate email.duplicate");
        assertThat(r.valid()).isTrue();
    }

    @Test
    void next_duplicatesGoInFieldOrderAmongFieldViolations() {
        BatchValidator batch = Records.VALIDATOR.newBatch();
        batch.next(Records.valid(2));

        ValidatedRecord r = batch.next(
                new RawRecord(3, "B0b", "1199480035534601", "0785576983", "X", "bob@gmail.com", true, false));

        assertThat(Records.codes(r))
                .isEqualTo(
                        "names.characters nid.numeric_cell nid.duplicate phone.duplicate gender.invalid email.duplicate");
    }

    @Test
    void next_rowsMustAscend() {
        BatchValidator batch = Records.VALIDATOR.newBatch();
        batch.next(Records.valid(5));

        assertThatThrownBy(() -> batch.next(Records.valid(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("records must come in ascending row order: row 5 after row 5");
    }

    @Test
    void crossCheck_cleanRecordIsReturnedAsIs() {
        BatchValidator batch = Records.VALIDATOR.newBatch();
        ValidatedRecord checked = Records.VALIDATOR.validate(Records.valid(2));

        assertThat(batch.crossCheck(checked)).isSameAs(checked);
    }

    @Test
    void crossCheck_afterParallelFieldRulesEqualsValidateAll() {
        List<RawRecord> raws = mixed(3000);

        List<ValidatedRecord> fieldChecked =
                raws.parallelStream().map(Records.VALIDATOR::validate).toList();
        BatchValidator batch = Records.VALIDATOR.newBatch();
        List<ValidatedRecord> crossChecked =
                fieldChecked.stream().map(batch::crossCheck).toList();

        assertThat(crossChecked).isEqualTo(Records.VALIDATOR.validateAll(raws));
        assertThat(crossChecked).anyMatch(r -> r.has("nid.duplicate")).anyMatch(r -> r.has("email.duplicate"));
    }

    @ParameterizedTest(name = "index sized for {0}")
    @ValueSource(ints = {0, 3000})
    void crossCheckAll_byChunks_equalsValidateAll(int expected) {
        // each key repeats on rows of its own: every 7th NID, 5th phone and 11th email from rows before
        List<RawRecord> raws = repeating(3000, repeat(7, 50), repeat(5, 31), repeat(11, 70));
        BatchValidator batch = Records.VALIDATOR.newBatch(expected);

        List<ValidatedRecord> crossChecked = new ArrayList<>();
        for (int from = 0; from < raws.size(); from += 1024) {
            List<ValidatedRecord> chunk = raws.subList(from, Math.min(raws.size(), from + 1024)).stream()
                    .map(Records.VALIDATOR::validate)
                    .toList();
            crossChecked.addAll(batch.crossCheckAll(chunk));
        }

        assertThat(crossChecked).isEqualTo(Records.VALIDATOR.validateAll(raws));
        assertThat(crossChecked.subList(1024, 1100))
                .anyMatch(r -> r.has("nid.duplicate"))
                .anyMatch(r -> r.has("phone.duplicate"))
                .anyMatch(r -> r.has("email.duplicate"));
        assertThat(batch.crossCheckAll(List.of())).isEmpty();
    }

    @Test
    void crossCheckAll_leavesEachRecordsDuplicateKeys() {
        List<RawRecord> raws = new ArrayList<>(repeating(40, repeat(7, 5), repeat(5, 3), repeat(11, 7)));
        raws.add(RawRecord.of(42, "No Keys", "12345", "0788", "M", "not an address"));
        List<ValidatedRecord> fieldChecked =
                raws.stream().map(Records.VALIDATOR::validate).toList();
        long[] keys = new long[3 * raws.size() + 2];
        keys[keys.length - 1] = 99;

        List<ValidatedRecord> out = Records.VALIDATOR.newBatch().crossCheckAll(fieldChecked, keys);

        assertThat(out).isEqualTo(Records.VALIDATOR.validateAll(raws));
        Field[] fields = {Field.NID, Field.PHONE_NUMBER, Field.EMAIL};
        for (int i = 0; i < out.size(); i++) {
            for (int k = 0; k < 3; k++) {
                assertThat(keys[3 * i + k])
                        .as("row %d, %s", out.get(i).row(), fields[k])
                        .isEqualTo(BatchValidator.duplicateKey(fields[k], out.get(i)))
                        .isEqualTo(BatchValidator.duplicateKey(fields[k], fieldChecked.get(i)));
            }
        }
        assertThat(keys[3 * 40]).isEqualTo(BatchValidator.NO_KEY);
        assertThat(keys[3 * 40 + 1]).isEqualTo(BatchValidator.NO_KEY);
        assertThat(keys[3 * 40 + 2]).isEqualTo(BatchValidator.NO_KEY);
        assertThat(keys[keys.length - 1]).as("past the records").isEqualTo(99);
        assertThatThrownBy(() ->
                        Records.VALIDATOR.newBatch().crossCheckAll(fieldChecked, new long[3 * raws.size() - 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void crossCheckAll_rowsMustAscendFromTheRecordBefore() {
        BatchValidator batch = Records.VALIDATOR.newBatch();
        batch.crossCheckAll(List.of(Records.VALIDATOR.validate(Records.valid(5))));

        assertThatThrownBy(() -> batch.crossCheckAll(List.of(Records.VALIDATOR.validate(Records.valid(4)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("records must come in ascending row order: row 4 after row 5");
    }

    /** Records with every 7th NID, phone and email repeated from 50 rows before. */
    private static List<RawRecord> mixed(int n) {
        IntUnaryOperator key = repeat(7, 50);
        return repeating(n, key, key, key);
    }

    /** Every {@code period}th record's key (the last of each period) is that of {@code back} records before. */
    private static IntUnaryOperator repeat(int period, int back) {
        return i -> i % period == period - 1 && i >= back ? i - back : i;
    }

    /** {@code n} records whose NID, phone and email are numbered by the record's index as the operators say. */
    private static List<RawRecord> repeating(
            int n, IntUnaryOperator nid, IntUnaryOperator phone, IntUnaryOperator email) {
        List<RawRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(RawRecord.of(
                    i + 2,
                    "Person Number",
                    "1199080" + String.format("%09d", nid.applyAsInt(i)),
                    "0788" + String.format("%06d", phone.applyAsInt(i)),
                    "M",
                    "p" + email.applyAsInt(i) + "@example.rw"));
        }
        return out;
    }

    @Test
    void validateAll_looksUpRegisteredNidsOnceAChunk() {
        List<Collection<String>> calls = new ArrayList<>();
        RecordValidator v = RecordValidator.builder()
                .clock(Records.CLOCK_2026)
                .registeredNids(nids -> {
                    calls.add(List.copyOf(nids));
                    return nids.stream().filter(n -> n.endsWith("0")).collect(Collectors.toSet());
                })
                .build();
        List<RawRecord> raws = mixed(2500);

        List<ValidatedRecord> out = v.validateAll(raws);

        assertThat(calls).hasSize(3);
        assertThat(calls)
                .allSatisfy(c -> assertThat(c).hasSizeLessThanOrEqualTo(RecordValidator.REGISTERED_LOOKUP_BATCH));
        assertThat(out).hasSize(2500);
        assertThat(out)
                .allSatisfy(r -> assertThat(r.has("nid.already_registered"))
                        .isEqualTo(r.raw().nid().endsWith("0")));
        assertThat(out.get(0).violations()).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Severity.ERROR);
            assertThat(x.message()).isEqualTo("A valid record with this NID is already registered");
        });
        assertThat(out.get(0).normalized().nid()).isNull();
    }

    @Test
    void markRegistered_asksForEveryNidAValidRecordCouldHave() {
        List<Collection<String>> calls = new ArrayList<>();
        RecordValidator v = RecordValidator.builder()
                .clock(Records.CLOCK_2026)
                .registeredNids(nids -> {
                    calls.add(List.copyOf(nids));
                    return Set.copyOf(nids);
                })
                .build();
        BatchValidator batch = v.newBatch();
        List<ValidatedRecord> chunk = List.of(
                batch.next(Records.valid(2)),
                batch.next(Records.valid(3)),
                batch.next(Records.with(4, Field.NID, "4199480035534602")),
                batch.next(Records.with(5, Field.NID, "12")),
                batch.next(Records.with(6, Field.GENDER, "F")),
                batch.next(Records.with(7, Field.NID, "1199480035534603")),
                batch.next(Records.with(8, Field.NID, "1 1994 7 0035534 6 04")));

        List<ValidatedRecord> out = batch.markRegistered(chunk);

        // the duplicate's NID is asked about too, and the mismatched gender's; not a NID no valid record has
        assertThat(calls)
                .containsExactly(List.of(
                        "1199480035534601",
                        "1199480035534601",
                        "1199480035534601",
                        "1199480035534603",
                        "1199470035534604"));
        assertThat(out)
                .extracting(Records::codes)
                .containsExactly(
                        "nid.already_registered",
                        "nid.duplicate nid.already_registered phone.duplicate email.duplicate",
                        "nid.category phone.duplicate email.duplicate",
                        "nid.format phone.duplicate email.duplicate",
                        "nid.gender_mismatch nid.duplicate nid.already_registered phone.duplicate email.duplicate",
                        "nid.already_registered phone.duplicate email.duplicate",
                        "nid.gender_mismatch nid.already_registered phone.duplicate email.duplicate");
    }

    /** A batch is one pass over a list: every chunk of it is asked about through the look-up of one pass. */
    @Test
    void markRegistered_everyChunkThroughOnePassOfTheLookUp() {
        List<String> asked = new ArrayList<>();
        RegisteredNids store = new RegisteredNids() {
            @Override
            public Set<String> registeredAmong(Collection<String> nids) {
                asked.add("store");
                return Set.of();
            }

            @Override
            public RegisteredNids forOnePass() {
                asked.add("pass");
                return nids -> {
                    asked.add("pass " + nids.size());
                    return Set.copyOf(nids);
                };
            }
        };
        RecordValidator v = RecordValidator.builder()
                .clock(Records.CLOCK_2026)
                .registeredNids(store)
                .build();
        BatchValidator batch = v.newBatch();
        BatchValidator other = v.newBatch();

        List<ValidatedRecord> first = batch.markRegistered(List.of(batch.next(Records.valid(2))));
        batch.markRegistered(List.of(batch.next(Records.with(3, Field.NID, "1199480035534602"))));
        other.markRegistered(List.of(other.next(Records.valid(2))));

        assertThat(asked).containsExactly("pass", "pass 1", "pass 1", "pass", "pass 1");
        assertThat(first).extracting(Records::codes).containsExactly("nid.already_registered");
    }

    @Test
    void markRegistered_largeChunkIsAskedAboutAtMostABatchAtATime() {
        List<Integer> sizes = new ArrayList<>();
        RecordValidator v = RecordValidator.builder()
                .clock(Records.CLOCK_2026)
                .registeredNids(nids -> {
                    sizes.add(nids.size());
                    return nids.stream().filter(n -> n.endsWith("7")).collect(Collectors.toSet());
                })
                .build();
        BatchValidator batch = v.newBatch();
        List<ValidatedRecord> chunk = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            chunk.add(batch.next(RawRecord.of(
                    i + 2,
                    "Person Number",
                    "1199080" + String.format("%09d", i),
                    "0788" + String.format("%06d", i),
                    "M",
                    "p" + i + "@example.rw")));
        }

        List<ValidatedRecord> out = batch.markRegistered(chunk);

        assertThat(sizes).containsExactly(1000, 1000, 500);
        assertThat(out).filteredOn(r -> r.has("nid.already_registered")).hasSize(250);
    }

    @Test
    void markRegistered_noValidNidNoLookup() {
        AtomicInteger calls = new AtomicInteger();
        RecordValidator v = RecordValidator.builder()
                .registeredNids(nids -> {
                    calls.incrementAndGet();
                    return Set.of();
                })
                .build();
        BatchValidator batch = v.newBatch();

        List<ValidatedRecord> out = batch.markRegistered(List.of(batch.next(Records.with(2, Field.NID, ""))));

        assertThat(calls).hasValue(0);
        assertThat(out).hasSize(1);
    }

    /**
     * The README's stream path, the one the server runs: field and cross-row rules record by record on one batch, the
     * registered-NID look-up once a chunk of {@link RecordValidator#REGISTERED_LOOKUP_BATCH} on another.
     */
    @Test
    void crossCheckThenMarkRegisteredByChunk_equalsValidateAll() {
        List<Integer> sizes = new ArrayList<>();
        RecordValidator v = RecordValidator.builder()
                .clock(Records.CLOCK_2026)
                .registeredNids(nids -> {
                    sizes.add(nids.size());
                    return nids.stream().filter(n -> n.endsWith("7")).collect(Collectors.toSet());
                })
                .build();
        List<RawRecord> raws = mixed(2345);
        BatchValidator checks = v.newBatch();
        BatchValidator lookups = v.newBatch();

        List<ValidatedRecord> out = new ArrayList<>();
        for (int from = 0; from < raws.size(); from += RecordValidator.REGISTERED_LOOKUP_BATCH) {
            List<ValidatedRecord> chunk = new ArrayList<>();
            for (RawRecord r :
                    raws.subList(from, Math.min(raws.size(), from + RecordValidator.REGISTERED_LOOKUP_BATCH))) {
                chunk.add(checks.crossCheck(v.validate(r)));
            }
            out.addAll(lookups.markRegistered(chunk));
        }
        List<Integer> chunked = List.copyOf(sizes);
        sizes.clear();

        assertThat(out).isEqualTo(v.validateAll(raws));
        assertThat(chunked).isEqualTo(sizes);
        assertThat(out).filteredOn(r -> r.has("nid.already_registered")).isNotEmpty();
        assertThat(out).filteredOn(r -> r.has("nid.duplicate")).isNotEmpty();
    }

    @Test
    void retainedBytes_growsWithDistinctKeysOnly() {
        BatchValidator same = Records.VALIDATOR.newBatch();
        BatchValidator distinct = Records.VALIDATOR.newBatch();
        IntStream.range(0, 5000).forEach(i -> same.next(Records.valid(i + 2)));
        mixed(5000).forEach(distinct::next);

        assertThat(same.retainedBytes()).isLessThan(1000);
        assertThat(distinct.retainedBytes()).isBetween(5000L * 30, 5000L * 64);
    }
}
