package rw.intake.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class GeneratorCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return GeneratorCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void run_writesWorkbookAndSidecar(@TempDir Path dir) throws IOException {
        Path xlsx = dir.resolve("people.xlsx");

        int status = run(
                "--rows",
                "1500",
                "--invalid-ratio",
                "0.2",
                "--seed",
                "99",
                "--year",
                "2026",
                "--synonyms",
                "--shuffle-columns",
                "--extra-columns",
                "2",
                "--header-row",
                "3",
                "--blank-ratio",
                "0.05",
                "--out",
                xlsx.toString());

        assertThat(status).isZero();
        SampleSpec spec = new SampleSpec(1500, 0.2, 99, 2026, true, true, 2, 3, 0.05);
        assertThat(Files.readAllBytes(xlsx)).isEqualTo(SampleWorkbooks.xlsxBytes(spec));
        StringWriter csv = new StringWriter();
        SampleWorkbooks.write(spec, new ByteArrayOutputStream(), csv);
        assertThat(Files.readString(dir.resolve("people.expected.csv"))).isEqualTo(csv.toString());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrote 1500 records", "people.expected.csv");
    }

    @Test
    void run_help() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--rows N", "--invalid-ratio R", "--blank-ratio B");
    }

    @Test
    void run_unknownOption(@TempDir Path dir) {
        assertThat(run(
                        "--rows",
                        "10",
                        "--colour",
                        "red",
                        "--out",
                        dir.resolve("x.xlsx").toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --colour", "Usage:");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void run_missingOut() {
        assertThat(run("--rows", "10")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--out FILE.xlsx is required");
    }

    /** Values outside what a spec or a sheet can hold, NaN among them: refused as bad arguments, before any file. */
    @Test
    void run_outOfRangeOrNotANumber_refusedBeforeAnyFile(@TempDir Path dir) {
        String[][] cases = {
            {"--invalid-ratio 1.5", "invalid ratio outside 0..1: 1.5"},
            {"--invalid-ratio NaN", "invalid ratio outside 0..1: NaN"},
            {"--blank-ratio NaN", "blank ratio outside 0..1 (1 excluded): NaN"},
            {"--blank-ratio 1", "blank ratio outside 0..1 (1 excluded): 1.0"},
            {"--header-row 1048577", "header row outside 1..1048576: 1048577"},
            {"--extra-columns 16380", "extra columns outside 0..16379: 16380"},
            {"--header-row 1048576 --rows 1", "end on row 1048577, past a sheet's last row 1048576"},
            {"--rows 1048576", "at most 1048575 records: 1048576"},
            {"--rows 1048575 --blank-ratio 0.001", "1048575 records and the blank rows among them end on row 10"},
            {"--rows abc", "--rows needs a number, not abc"},
            {"--seed 1e3", "--seed needs a number, not 1e3"},
        };
        for (String[] c : cases) {
            err.reset();
            List<String> args = new ArrayList<>(List.of(c[0].split(" ")));
            args.addAll(List.of("--out", dir.resolve("x.xlsx").toString()));

            assertThat(run(args.toArray(String[]::new))).as(c[0]).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .as(c[0])
                    .startsWith("error: ")
                    .contains(c[1], "Usage:");
            assertThat(dir).as(c[0]).isEmptyDirectory();
        }
    }

    /** Past the generator's own bounds: refused as bad arguments, and the files already there are left as they were. */
    @Test
    void run_rowsOrYearPastTheGenerator_refusedFilesKept(@TempDir Path dir) throws IOException {
        Path xlsx = dir.resolve("keep.xlsx");
        assertThat(run("--rows", "10", "--out", xlsx.toString())).isZero();
        byte[] before = Files.readAllBytes(xlsx);
        byte[] sidecar = Files.readAllBytes(GeneratorCli.sidecarOf(xlsx));
        for (String[] args : new String[][] {{"--year", "1900"}, {"--rows", "10000001"}}) {
            err.reset();
            assertThat(run(args[0], args[1], "--out", xlsx.toString()))
                    .as(args[0])
                    .isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .as(args[0])
                    .startsWith("error: ")
                    .contains("Usage:");
        }
        assertThat(Files.readAllBytes(xlsx)).isEqualTo(before);
        assertThat(Files.readAllBytes(GeneratorCli.sidecarOf(xlsx))).isEqualTo(sidecar);
    }

    @Test
    void run_outputFolderMissing_saysSo(@TempDir Path dir) {
        Path xlsx = dir.resolve("no-such-folder").resolve("people.xlsx");

        assertThat(run("--rows", "10", "--out", xlsx.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("error: cannot write " + xlsx + ": the folder " + xlsx.getParent() + " does not exist"
                        + System.lineSeparator());
    }

    @Test
    void sidecarOf_replacesTheXlsxExtension() {
        assertThat(GeneratorCli.sidecarOf(Path.of("a", "people.xlsx"))).isEqualTo(Path.of("a", "people.expected.csv"));
        assertThat(GeneratorCli.sidecarOf(Path.of("people.XLSX"))).isEqualTo(Path.of("people.expected.csv"));
        assertThat(GeneratorCli.sidecarOf(Path.of("people"))).isEqualTo(Path.of("people.expected.csv"));
    }
}
