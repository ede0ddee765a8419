package rw.intake.server.internal.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openqa.selenium.By;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;
import rw.intake.server.internal.upload.Workbooks;

/**
 * JMH: how soon the review screen of a large staged upload ({@code rows}, 1,000,000 by default) is interactive after
 * navigation, and how long a page turn takes, in headless Chromium against the real server on loopback, one shot per
 * load or turn. JMH times each from the driver's side (the WebDriver round trips included). The page's own measures,
 * which the figures in docs/performance.md are, are printed by the forked JVM at the end, median and maximum of the
 * measured shots: "interactive" is the time from the navigation's start to the first page of records drawn (the
 * page's {@code intake:records-drawn} performance mark: summary, chart, filters, table and pager in the document,
 * handlers attached), with the timeline of the median load; a page turn is from the click on Next to the next page
 * drawn and painted, and the part of it spent on the records request (the browser's resource timing). Run by the
 * {@code jmh} profile (needs Debian's chromium and chromium-driver):
 *
 * <pre>
 * mvn -B -q -Pjmh -pl server-javalin test-compile exec:exec@jmh -Djmh.args="ReviewPageBench"
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReviewPageBench {
    private static final String TURN = """
            const done = arguments[arguments.length - 1];
            const main = document.getElementById('main');
            const expected = String(Number(main.dataset.page) + 1);
            const t0 = performance.now();
            new MutationObserver((changes, observer) => {
              if (main.dataset.page === expected) {
                observer.disconnect();
                const fetched = performance.getEntriesByType('resource').filter((e) => e.name.includes('/records?')).pop();
                requestAnimationFrame(() => done([performance.now() - t0, fetched.duration]));
              }
            }).observe(main, { attributes: true, attributeFilter: ['data-page'] });
            document.getElementById(arguments[0]).click();
            """;

    /** The load's timeline: navigation phases, every fetched resource (start, first byte, end) and the page's marks. */
    private static final String TIMELINE = """
            const f = (x) => x.toFixed(1).padStart(7);
            const nav = performance.getEntriesByType('navigation')[0];
            const lines = [`  html: start ${f(nav.startTime)} request ${f(nav.requestStart)} first byte ${f(nav.responseStart)}`
              + ` end ${f(nav.responseEnd)} domInteractive ${f(nav.domInteractive)} DOMContentLoaded ${f(nav.domContentLoadedEventEnd)}`
              + ` load ${f(nav.loadEventEnd)}`];
            for (const e of performance.getEntriesByType('resource')) {
              lines.push(`  ${e.initiatorType.padEnd(14)} ${f(e.startTime)} -> first byte ${f(e.responseStart)} -> end ${f(e.responseEnd)}`
                + `  ${e.name.replace(location.origin, '')}`);
            }
            for (const e of [...performance.getEntriesByType('mark'), ...performance.getEntriesByType('paint')]) {
              lines.push(`  ${e.entryType.padEnd(14)} ${f(e.startTime)}  ${e.name}`);
            }
            return lines.join('\\n');
            """;

    @Param("1000000")
    public int rows;

    private TestServer server;
    private Browser browser;
    private String url;
    private boolean measuring;
    private final List<Double> loads = new ArrayList<>();
    private final List<String> timelines = new ArrayList<>();
    private final List<Double> turns = new ArrayList<>();
    private final List<Double> fetches = new ArrayList<>();

    @Setup(Level.Trial)
    public void stage() {
        server = TestServer.start();
        String token = server.clerkToken("bench");
        long t0 = System.nanoTime();
        String id = Workbooks.accepted(server, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(rows, 5)));
        settled(server, token, id);
        System.out.printf(
                Locale.ROOT,
                "%n%,d rows generated, uploaded and validated in %,d ms%n",
                rows,
                (System.nanoTime() - t0) / 1_000_000);
        browser = Browser.start(server);
        url = server.uri("/#/uploads/" + id).toString();
        browser.open("/uploads/" + id);
        browser.signedIn("bench", "bench-password");
        browser.visible(By.id("records-table"));
    }

    /** Only the measured shots count in the page's own figures; the warm-ups warm the server's JIT and the browser. */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void reportAndStop() {
        try {
            if (!loads.isEmpty()) {
                report("review screen interactive after navigation", loads);
                System.out.println("timeline of the median load (ms from navigation start):");
                System.out.println(timelines.get(loads.indexOf(sorted(loads).get(loads.size() / 2))));
            }
            if (!turns.isEmpty()) {
                report("page turn (Next, 50 rows)", turns);
                report("  of which the records request", fetches);
            }
        } finally {
            try {
                browser.close();
            } finally {
                server.close();
            }
        }
    }

    /** A navigation to the review screen, until its first page of records is drawn: the page's mark (ms). */
    @Benchmark
    @Warmup(iterations = 2)
    @Measurement(iterations = 10)
    public double load() {
        browser.driver().get("about:blank");
        browser.driver().get(url);
        browser.visible(By.id("records-table"));
        double ms = ((Number)
                        browser.script("return performance.getEntriesByName('intake:records-drawn')[0].startTime"))
                .doubleValue();
        if (measuring) {
            loads.add(ms);
            timelines.add((String) browser.script(TIMELINE));
        }
        return ms;
    }

    /** A click on Next, until the next page is drawn and painted: the page's measure (ms). */
    @Benchmark
    @Warmup(iterations = 3)
    @Measurement(iterations = 30)
    public double turn() {
        List<?> ms = (List<?>) browser.driver().executeAsyncScript(TURN, "page-next");
        double turn = ((Number) ms.get(0)).doubleValue();
        if (measuring) {
            turns.add(turn);
            fetches.add(((Number) ms.get(1)).doubleValue());
        }
        return turn;
    }

    /** Polls the summary until validation ends (a million rows take minutes on a busy machine). */
    private static void settled(TestServer server, String token, String id) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            JsonNode s = TestServer.json(server.get("/api/v1/uploads/" + id, token));
            if (!"validating".equals(s.get("status").asText())) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
        throw new IllegalStateException("upload " + id + " still validating after 30 minutes");
    }

    private static List<Double> sorted(List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        return sorted;
    }

    private static void report(String what, List<Double> ms) {
        List<Double> sorted = sorted(ms);
        System.out.printf(
                Locale.ROOT,
                "%s: median %.0f ms, max %.0f ms over %d runs%n",
                what,
                sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1),
                sorted.size());
    }
}
