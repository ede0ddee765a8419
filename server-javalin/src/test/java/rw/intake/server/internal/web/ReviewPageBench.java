package rw.intake.server.internal.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openqa.selenium.By;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;
import rw.intake.server.internal.upload.Workbooks;

/**
 * How soon the review screen of a large staged upload is interactive after navigation, and how long a page turn
 * takes, in headless Chromium against the real server on loopback. Argument: the upload's rows (default 1,000,000).
 * "Interactive" is the time from the navigation's start to the first page of records drawn (the page's
 * {@code intake:records-drawn} performance mark: summary, chart, filters, table and pager in the document, handlers
 * attached); a page turn is from the click on Next to the next page drawn and painted, and the part of it spent on
 * the records request (the browser's resource timing). Prints medians and maxima.
 *
 * <pre>
 * mvn -B -o -q -pl server-javalin -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=$PWD/cp.txt
 * (cd server-javalin &amp;&amp; java -Xmx4g -cp target/test-classes:target/classes:$(cat ../cp.txt) \
 *     rw.intake.server.internal.web.ReviewPageBench 1000000)
 * </pre>
 */
public final class ReviewPageBench {
    private static final int LOADS = 10;
    private static final int TURNS = 30;
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

    private ReviewPageBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length == 0 ? 1_000_000 : Integer.parseInt(args[0].replace("_", ""));
        try (TestServer server = TestServer.start()) {
            String token = server.clerkToken("bench");
            long t0 = System.nanoTime();
            String id = Workbooks.accepted(server, token, SampleWorkbooks.xlsxBytes(SampleSpec.of(rows, 5)));
            settled(server, token, id);
            System.out.printf(
                    Locale.ROOT,
                    "%,d rows generated, uploaded and validated in %,d ms%n",
                    rows,
                    (System.nanoTime() - t0) / 1_000_000);
            try (Browser browser = Browser.start(server)) {
                String url = server.uri("/#/uploads/" + id).toString();
                browser.open("/uploads/" + id);
                browser.signedIn("bench", "bench-password");
                browser.visible(By.id("records-table"));
                List<Double> loads = new ArrayList<>();
                List<String> timelines = new ArrayList<>();
                for (int i = 0; i < LOADS + 2; i++) {
                    browser.driver().get("about:blank");
                    browser.driver().get(url);
                    browser.visible(By.id("records-table"));
                    double ms = ((Number) browser.script(
                                    "return performance.getEntriesByName('intake:records-drawn')[0].startTime"))
                            .doubleValue();
                    if (i >= 2) { // the first two warm the server's JIT and the browser's caches
                        loads.add(ms);
                        timelines.add((String) browser.script(TIMELINE));
                    }
                }
                List<Double> turns = new ArrayList<>();
                List<Double> fetches = new ArrayList<>();
                for (int i = 0; i < TURNS + 3; i++) {
                    List<?> ms = (List<?>) browser.driver().executeAsyncScript(TURN, "page-next");
                    if (i >= 3) {
                        turns.add(((Number) ms.get(0)).doubleValue());
                        fetches.add(((Number) ms.get(1)).doubleValue());
                    }
                }
                report("review screen interactive after navigation", loads);
                System.out.println("timeline of the median load (ms from navigation start):");
                System.out.println(timelines.get(loads.indexOf(sorted(loads).get(loads.size() / 2))));
                report("page turn (Next, 50 rows)", turns);
                report("  of which the records request", fetches);
            }
        }
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
