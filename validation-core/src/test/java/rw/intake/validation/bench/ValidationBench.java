package rw.intake.validation.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * JMH: throughput of validation-core on one thread over {@value #RECORDS} generated records (a realistic mix of
 * valid records, every accepted phone form, NIDs and phones from number cells, a few percent defects per field and
 * about 1 % duplicates, from a seeded {@link Random}): field rules only, and field rules plus duplicates with the
 * index grown ({@code newBatch()}) or sized up front ({@code newBatch(n)}). Scores are records per second. After the
 * run, the bytes per record that the duplicate index retains are printed. Commands: docs/performance.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ValidationBench {

    /** Records per invocation. */
    public static final int RECORDS = 1_000_000;
    /** Records in a chunk of the server's validation pipeline. */
    private static final int CHUNK = 1_024;

    private static final String[] FIRST = {
        "Bob",
        "Abigale",
        "Chelsey",
        "Kelly",
        "David",
        "Jean-Paul",
        "Aline",
        "Eric",
        "Divine",
        "Claudine",
        "Emmanuel",
        "Grace",
        "Olivier",
        "Ange",
        "Patrick",
        "Solange",
        "Innocent",
        "Esp\u00E9rance"
    };
    private static final String[] LAST = {
        "Kagabo",
        "Mutoni",
        "Uwimana",
        "Keza",
        "Rugwiza",
        "Habimana",
        "Niyonzima",
        "Mukamana",
        "Nshimiyimana",
        "Ingabire",
        "Hakizimana",
        "Uwase",
        "Ndayisaba",
        "O'Neil",
        "Iradukunda"
    };
    private static final String[] DOMAINS = {
        "gmail.com", "yahoo.com", "outlook.com", "GMAIL.COM", "mtn.co.rw", "minecofin.gov.rw", "ur.ac.rw"
    };

    @Param("42")
    public long seed;

    private final RecordValidator validator = RecordValidator.defaults();
    private RawRecord[] records;
    private BatchValidator lastGrown;
    private BatchValidator lastSized;

    @Setup(Level.Trial)
    public void generate() {
        records = new RawRecord[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            records[i] = record(seed, i);
        }
    }

    @TearDown(Level.Trial)
    public void retained() {
        for (BatchValidator b : new BatchValidator[] {lastGrown, lastSized}) {
            if (b != null) {
                System.out.printf(
                        Locale.ROOT,
                        "%nduplicate index after %,d records, %s: %.1f bytes per record%n",
                        RECORDS,
                        b == lastGrown ? "grown" : "sized",
                        (double) b.retainedBytes() / RECORDS);
            }
        }
    }

    /** Field rules only. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void fieldRules(Blackhole bh) {
        for (RawRecord r : records) {
            bh.consume(validator.validate(r));
        }
    }

    /** Field rules and duplicates, the index grown as records come ({@code newBatch()}). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void duplicatesGrown(Blackhole bh) {
        BatchValidator batch = validator.newBatch();
        for (RawRecord r : records) {
            bh.consume(batch.next(r));
        }
        lastGrown = batch;
    }

    /** Field rules and duplicates, the index sized up front ({@code newBatch(n)}). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void duplicatesSized(Blackhole bh) {
        BatchValidator batch = validator.newBatch(RECORDS);
        for (RawRecord r : records) {
            bh.consume(batch.next(r));
        }
        lastSized = batch;
    }

    /**
     * As the server's validating stage runs: chunks of {@value #CHUNK} records, the field rules of a chunk first, then its
     * cross-row rules record by record ({@link BatchValidator#crossCheck}).
     */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void chunksOneByOne(Blackhole bh) {
        BatchValidator batch = validator.newBatch(RECORDS);
        for (int from = 0; from < RECORDS; from += CHUNK) {
            for (ValidatedRecord r : fieldChecked(from)) {
                bh.consume(batch.crossCheck(r));
            }
        }
    }

    /** The same, the cross-row rules of a chunk at once ({@link BatchValidator#crossCheckAll}: slots read ahead). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void chunksAtOnce(Blackhole bh) {
        BatchValidator batch = validator.newBatch(RECORDS);
        for (int from = 0; from < RECORDS; from += CHUNK) {
            bh.consume(batch.crossCheckAll(fieldChecked(from)));
        }
    }

    private List<ValidatedRecord> fieldChecked(int from) {
        int to = Math.min(RECORDS, from + CHUNK);
        List<ValidatedRecord> chunk = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            chunk.add(validator.validate(records[i]));
        }
        return chunk;
    }

    /**
     * Record {@code i} (row {@code i + 2}) of the generated sheet, from a {@link Random} seeded by the seed and the
     * row, so a duplicate can re-create an earlier row's value without keeping earlier records.
     */
    static RawRecord record(long seed, int i) {
        Random random = new Random(seed * 1_000_003L + i);
        boolean male = random.nextBoolean();
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        String names = first + " " + last;
        if (random.nextInt(100) < 3) {
            names = random.nextBoolean() ? "  " + first + "   " + last + " " : first + "2 " + last;
        }
        boolean nidNumeric = random.nextInt(100) < 30;
        String nid = nid(random, male);
        String phone = phone(random);
        String gender = gender(random, male);
        String email = email(random, first, last, i);
        if (i > 100 && random.nextInt(100) == 0) {
            RawRecord earlier = record(seed, random.nextInt(i));
            switch (random.nextInt(3)) {
                case 0 -> nid = earlier.nid();
                case 1 -> phone = earlier.phoneNumber();
                default -> email = earlier.email();
            }
        }
        boolean phoneNumeric = phone.length() == 9 && phone.charAt(0) == '7';
        return new RawRecord(i + 2, names, nid, phone, gender, email, nidNumeric, phoneNumeric);
    }

    private static String nid(Random random, boolean male) {
        StringBuilder b = new StringBuilder(20);
        int category = random.nextInt(100) < 95 ? 1 : 2 + random.nextInt(2);
        b.append(category).append(1950 + random.nextInt(59)).append(male ? '8' : '7');
        for (int j = 0; j < 10; j++) {
            b.append((char) ('0' + random.nextInt(10)));
        }
        int defect = random.nextInt(100);
        if (defect == 0) {
            b.setLength(15);
        } else if (defect == 1) {
            b.setCharAt(0, '4');
        } else if (defect == 2) {
            b.setCharAt(5, male ? '7' : '8');
        } else if (defect == 3) {
            b.insert(4, ' ').insert(9, ' ');
        }
        return b.toString();
    }

    private static String phone(Random random) {
        String national =
                "7" + "2389".charAt(random.nextInt(4)) + String.format(Locale.ROOT, "%07d", random.nextInt(10_000_000));
        int form = random.nextInt(100);
        if (form < 35) {
            return "0" + national;
        } else if (form < 65) {
            return national;
        } else if (form < 75) {
            return "+250" + national;
        } else if (form < 83) {
            return "250" + national;
        } else if (form < 87) {
            return "00250" + national;
        } else if (form < 95) {
            return "0" + national.substring(0, 2) + " " + national.substring(2, 5) + " " + national.substring(5);
        } else if (form < 97) {
            return "074" + national.substring(2);
        } else if (form < 98) {
            return national.substring(1);
        } else {
            return "+254 7" + national.substring(1);
        }
    }

    private static String gender(Random random, boolean male) {
        int form = random.nextInt(200);
        if (form == 0) {
            return "X";
        }
        String[] words = male ? new String[] {"M", "m", "Male", "MALE"} : new String[] {"F", "f", "Female", "female"};
        return words[form % words.length];
    }

    private static String email(Random random, String first, String last, int i) {
        String local =
                (first + "." + last).replace("'", "").replace("\u00E9", "e").toLowerCase(Locale.ROOT) + i;
        String domain = DOMAINS[random.nextInt(DOMAINS.length)];
        int defect = random.nextInt(100);
        if (defect == 0) {
            return local + "@" + domain.substring(0, domain.indexOf('.'));
        } else if (defect == 1) {
            return local + "@@" + domain;
        }
        return local + "@" + domain;
    }
}
