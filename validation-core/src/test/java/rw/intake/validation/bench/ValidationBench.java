package rw.intake.validation.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.internal.Phones;

/**
 * Throughput of validation-core on one thread: field rules plus duplicate tracking ({@link BatchValidator#next})
 * over 1,000,000 generated records, and the bytes the duplicate index retains per record. Run with
 * {@code mvn -B -o -q -pl validation-core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=rw.intake.validation.bench.ValidationBench} (optional {@code -Dexec.args="records rounds seed"}).
 *
 * <p>The records come from a seeded {@link Random}: a realistic mix of valid records, every accepted phone form,
 * NIDs and phones from number cells, a few percent defects per field and about 1% duplicates. They are generated a
 * chunk of 1,000 at a time outside the timed section and validated while fresh in cache, as records coming from
 * the sheet reader are. Rates are reported by the thread's CPU time (the machine may be shared) and by the wall
 * clock.
 */
public final class ValidationBench {

    private static final String[] FIRST = {"Bob", "Abigale", "Chelsey", "Kelly", "David", "Jean-Paul", "Aline", "Eric",
        "Divine", "Claudine", "Emmanuel", "Grace", "Olivier", "Ange", "Patrick", "Solange", "Innocent", "Esp\u00E9rance"};
    private static final String[] LAST = {"Kagabo", "Mutoni", "Uwimana", "Keza", "Rugwiza", "Habimana", "Niyonzima",
        "Mukamana", "Nshimiyimana", "Ingabire", "Hakizimana", "Uwase", "Ndayisaba", "O'Neil", "Iradukunda"};
    private static final String[] DOMAINS = {"gmail.com", "yahoo.com", "outlook.com", "GMAIL.COM", "mtn.co.rw",
        "minecofin.gov.rw", "ur.ac.rw"};

    private static final int CHUNK = 1000;

    private ValidationBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42L;
        RecordValidator validator = RecordValidator.defaults();
        System.out.printf(Locale.ROOT, "records: %,d (seed %d), %s, %d available processors%n", n, seed,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        report(n, seed, validator);

        String[] names = {"field rules only", "field rules + duplicates, newBatch()", "field rules + duplicates, newBatch(n)"};
        double[][] cpu = new double[names.length][rounds];
        double[][] wall = new double[names.length][rounds];
        long[] retained = new long[names.length];
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
            for (int k = 0; k < names.length; k++) {
                BatchValidator batch = k == 0 ? null : k == 1 ? validator.newBatch() : validator.newBatch(n);
                Run run = run(n, seed, validator, batch);
                retained[k] = batch == null ? 0 : batch.retainedBytes();
                cpu[k][round] = n / (run.cpuNanos / 1e9);
                wall[k][round] = n / (run.wallNanos / 1e9);
                line.append(String.format(Locale.ROOT, "  %,.0f/s (wall %,.0f/s)", cpu[k][round], wall[k][round]));
            }
            System.out.println(line);
        }
        System.out.println("records/s on one thread, median of rounds 3.." + rounds + " (by thread CPU time; by wall clock):");
        for (int k = 0; k < names.length; k++) {
            System.out.printf(Locale.ROOT, "  %-40s %,10.0f   %,10.0f%n", names[k], median(cpu[k]), median(wall[k]));
        }
        for (int k = 1; k < names.length; k++) {
            System.out.printf(Locale.ROOT, "duplicate index after %,d records, %s: %,d bytes = %.1f bytes per record%n", n,
                    names[k].substring(names[k].indexOf(',') + 2), retained[k], (double) retained[k] / n);
        }
    }

    private record Run(long cpuNanos, long wallNanos, long checksum) {
    }

    /**
     * One pass: records are generated a chunk at a time (outside the timing) and validated while fresh, as they
     * would come from the sheet reader; with a batch, field rules and duplicates, else field rules only.
     */
    private static Run run(int n, long seed, RecordValidator validator, BatchValidator batch) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        RawRecord[] chunk = new RawRecord[CHUNK];
        long cpu = 0;
        long wall = 0;
        long checksum = 0;
        for (int start = 0; start < n; start += CHUNK) {
            int size = Math.min(CHUNK, n - start);
            for (int i = 0; i < size; i++) {
                chunk[i] = record(seed, start + i);
            }
            long c0 = threads.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            if (batch == null) {
                for (int i = 0; i < size; i++) {
                    checksum += validator.validate(chunk[i]).violations().size();
                }
            } else {
                for (int i = 0; i < size; i++) {
                    checksum += batch.next(chunk[i]).violations().size();
                }
            }
            wall += System.nanoTime() - w0;
            cpu += threads.getCurrentThreadCpuTime() - c0;
        }
        return new Run(cpu, wall, checksum);
    }

    /** The verdict mix, and how many phone cells the fast path decided. */
    private static void report(int n, long seed, RecordValidator validator) {
        BatchValidator batch = validator.newBatch();
        Phones phones = new Phones(Set.of("RW"));
        int valid = 0;
        int warned = 0;
        int duplicates = 0;
        int fast = 0;
        for (int i = 0; i < n; i++) {
            RawRecord r = record(seed, i);
            ValidatedRecord v = batch.next(r);
            valid += v.valid() ? 1 : 0;
            warned += v.hasWarnings() ? 1 : 0;
            duplicates += v.violations().stream().anyMatch(x -> x.code().endsWith(".duplicate")) ? 1 : 0;
            String c = Phones.clean(r.phoneNumber().strip());
            fast += c != null && phones.fastPath(c) != null ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "mix: %.1f%% valid, %.1f%% with warnings, %.1f%% with a duplicate; phone fast path decides"
                + " %.1f%%%n", 100.0 * valid / n, 100.0 * warned / n,
                100.0 * duplicates / n, 100.0 * fast / n);
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
        String national = "7" + "2389".charAt(random.nextInt(4)) + String.format(Locale.ROOT, "%07d", random.nextInt(10_000_000));
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
        String local = (first + "." + last).replace("'", "").replace("\u00E9", "e").toLowerCase(Locale.ROOT) + i;
        String domain = DOMAINS[random.nextInt(DOMAINS.length)];
        int defect = random.nextInt(100);
        if (defect == 0) {
            return local + "@" + domain.substring(0, domain.indexOf('.'));
        } else if (defect == 1) {
            return local + "@@" + domain;
        }
        return local + "@" + domain;
    }

    private static double median(double[] values) {
        double[] measured = Arrays.copyOfRange(values, Math.min(2, values.length - 1), values.length);
        Arrays.sort(measured);
        return measured[measured.length / 2];
    }

}
