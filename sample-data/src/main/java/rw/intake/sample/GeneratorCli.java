package rw.intake.sample;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Year;
import java.time.ZoneId;
import java.util.function.Function;
import rw.intake.sample.internal.RecordGenerator;

/**
 * Command line: writes a sample workbook and its ground-truth sidecar.
 *
 * <pre>{@code
 * java -jar intake-sample-data.jar --rows 50000 --invalid-ratio 0.1 --seed 7 --out people.xlsx
 * }</pre>
 *
 * writes {@code people.xlsx} and {@code people.expected.csv}. {@code --help} lists every option.
 */
public final class GeneratorCli {

    static final String USAGE = """
            Usage: java -jar intake-sample-data.jar --out FILE.xlsx [options]
            Writes FILE.xlsx and its ground truth FILE.expected.csv (row,codes; codes sorted, joined by |).
              --rows N             records to write, at most 1,048,575 (default 1000)
              --invalid-ratio R    share of records, 0..1, with at least one defect (default 0.1)
              --seed S             random seed; same options, same bytes (default 42)
              --year Y             the reference "current year" for birth years, 1990..9000 (default: this year)
              --synonyms           header synonyms ("Full Name", "Phone No", ...) instead of the canonical names
              --shuffle-columns    columns in a seed-chosen order
              --extra-columns K    K unknown columns ("District", "Notes", ...), at most 16,379 (default 0)
              --header-row R       1-based row of the header; rows above it stay blank (default 1); the
                                   header, the records and the blank rows fit in 1,048,576 rows
              --blank-ratio B      share, 0..1 (exclusive), of blank rows among the data rows (default 0)
              --help               this text
            """;

    private GeneratorCli() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Why a file could not be written, in words (the JDK's message of a missing folder is the path alone). */
    static String why(IOException e) {
        if (e instanceof NoSuchFileException f) {
            Path parent = Path.of(f.getFile()).toAbsolutePath().getParent();
            return "cannot write " + f.getFile() + ": the folder " + parent + " does not exist";
        }
        if (e instanceof AccessDeniedException f) {
            return "cannot write " + f.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return "cannot write " + f.getFile() + ": " + f.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Runs the command; returns the exit status (0 done, 2 bad arguments, 1 I/O failure). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (options.help) {
            out.print(USAGE);
            return 0;
        }
        Path sidecar = sidecarOf(options.out);
        long start = System.nanoTime();
        try (OutputStream xlsx = new BufferedOutputStream(Files.newOutputStream(options.out), 1 << 16);
                Writer csv = Files.newBufferedWriter(sidecar, StandardCharsets.UTF_8)) {
            SampleWorkbooks.write(options.spec, xlsx, csv);
        } catch (IOException e) {
            err.println("error: " + why(e));
            return 1;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        out.printf("wrote %d records to %s and %s in %d ms%n", options.spec.rows(), options.out, sidecar, millis);
        return 0;
    }

    /** {@code people.xlsx} gives {@code people.expected.csv}. */
    static Path sidecarOf(Path xlsx) {
        String name = xlsx.getFileName().toString();
        String stem =
                name.toLowerCase(java.util.Locale.ROOT).endsWith(".xlsx") ? name.substring(0, name.length() - 5) : name;
        return xlsx.resolveSibling(stem + ".expected.csv");
    }

    /** The parsed command line. */
    private static final class Options {
        private boolean help;
        private Path out;
        private SampleSpec spec;

        static Options parse(String[] args) {
            Options o = new Options();
            int rows = 1000;
            double invalid = 0.10;
            long seed = 42;
            int year = Year.now(ZoneId.systemDefault()).getValue();
            boolean synonyms = false;
            boolean shuffle = false;
            int extra = 0;
            int headerRow = 1;
            double blank = 0;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help", "-h" -> o.help = true;
                    case "--synonyms" -> synonyms = true;
                    case "--shuffle-columns" -> shuffle = true;
                    case "--rows" -> rows = number(args, ++i, a, Integer::parseInt);
                    case "--invalid-ratio" -> invalid = number(args, ++i, a, Double::parseDouble);
                    case "--seed" -> seed = number(args, ++i, a, Long::parseLong);
                    case "--year" -> year = number(args, ++i, a, Integer::parseInt);
                    case "--extra-columns" -> extra = number(args, ++i, a, Integer::parseInt);
                    case "--header-row" -> headerRow = number(args, ++i, a, Integer::parseInt);
                    case "--blank-ratio" -> blank = number(args, ++i, a, Double::parseDouble);
                    case "--out" -> o.out = Path.of(value(args, ++i, a));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.help) {
                return o;
            }
            if (o.out == null) {
                throw new IllegalArgumentException("--out FILE.xlsx is required");
            }
            try {
                o.spec = new SampleSpec(rows, invalid, seed, year, synonyms, shuffle, extra, headerRow, blank);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("options out of range: " + e.getMessage(), e);
            }
            // the generator's own bounds (records, reference year), checked before any file is opened: a run refused
            // later would leave the files it was to replace empty
            RecordGenerator.of(o.spec);
            return o;
        }

        /** The option's value as a number; a value that is not one is refused naming the option. */
        private static <T> T number(String[] args, int i, String option, Function<String, T> parse) {
            String value = value(args, i, option);
            try {
                return parse.apply(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a number, not " + value, e);
            }
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
