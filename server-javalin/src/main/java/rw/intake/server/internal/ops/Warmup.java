package rw.intake.server.internal.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.auth.Principal;
import rw.intake.server.internal.auth.Tokens;
import rw.intake.server.internal.upload.UploadModule;
import rw.intake.server.internal.upload.UploadSummary;

/**
 * Warms the server up once it listens, on a thread of its own, so that the first upload, the first pages and the first
 * commit after a start do not pay for class loading, the interpreter and a cold database: a small workbook built in
 * memory goes through the upload path ({@link UploadModule#rehearse}: read, validated with its NIDs looked up among
 * the registered ones, and staged by the upload stages, in a staging store of its own), is read back page by page, and
 * its records go through {@value #REHEARSALS} rehearsed commits (every step of a commit, then a rollback; nothing is
 * written), and its summary is written as the routes write it, {@value #ROUNDS} times; then a few requests go through
 * the HTTP stack on loopback, one of them with an access token of the warm-up's own (a user no account has, who sees
 * an empty list), so that the first request of a user does not verify the first token; last, a full collection
 * gives back the heap the warm-up grew. Nothing is staged where requests look, and any failure is only logged: a
 * server that cannot warm up still serves. {@code /ready} answers 503 until it is done ({@link #done()}).
 */
public final class Warmup {

    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /**
     * Rows of the built-in workbook: more than one chunk of the commit's inserts (5,000 records), so that the
     * rehearsed commit runs its insert statements, and few enough to take well under a second once compiled.
     */
    public static final int ROWS = 6_000;
    /**
     * Times the workbook goes through the upload path: C2 compiles a method only after thousands of calls, and one
     * round leaves the first real upload and commit running much of their code interpreted or in C1's profiling tier
     * (the pair in docs/performance.md, "The warm-up before ready").
     */
    static final int ROUNDS = 8;
    /**
     * Rehearsed commits of the workbook's records in each round: the insert path of the embedded database compiled by
     * the JIT rather than interpreted when the first real commit comes.
     */
    static final int REHEARSALS = 2;

    /** A cell of each column left blank once in this many rows (distinct primes, so that rows differ). */
    private static final int[] BLANK_EVERY = {71, 73, 79, 83, 89};

    private static final String[] FIRST = {
        "Jean", "Marie", "Eric", "Claudine", "Patrick", "Aline", "Emmanuel", "Grace", "Olivier", "Espérance"
    };
    private static final String[] LAST = {
        "Uwase",
        "Habimana",
        "Mukamana",
        "Niyonzima",
        "Uwimana",
        "Ingabire",
        "Mugisha",
        "Iradukunda",
        "O'Neil",
        "Byiringiro"
    };

    /** The caller of the warm-up's request with a token: a name no account can have (names have no spaces). */
    static final Principal CALLER = new Principal("intake warm-up", Principal.CLERK);

    private final UploadModule uploads;
    private final Tokens tokens;
    private final ObjectMapper json;
    private volatile boolean done;
    private volatile boolean stopping;
    private volatile Thread thread;

    private Warmup(UploadModule uploads, Tokens tokens, ObjectMapper json, boolean done) {
        this.uploads = uploads;
        this.tokens = tokens;
        this.json = json;
        this.done = done;
    }

    /**
     * A warm-up of this module's upload path, not started; {@code tokens} issue the token of its request and
     * {@code json} is the mapper the routes answer with.
     */
    public static Warmup of(UploadModule uploads, Tokens tokens, ObjectMapper json) {
        return new Warmup(uploads, tokens, json, false);
    }

    /** No warm-up ({@code WARMUP=false}): done from the start. */
    public static Warmup off() {
        return new Warmup(null, null, null, true);
    }

    /** Whether the warm-up has ended (or was never to run). */
    public boolean done() {
        return done;
    }

    /** Starts the warm-up on a daemon thread; {@code port} is the port the server listens on. */
    // A hint only: the first requests, if any arrive before ready, should win the cores over the warm-up.
    @SuppressWarnings("ThreadPriorityCheck")
    public synchronized void start(int port) {
        if (done || stopping) {
            return;
        }
        Thread t = new Thread(() -> run(port), "intake-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        thread = t;
        t.start();
    }

    /**
     * Asks the warm-up to stop after the round it is in (whose rehearsed commits end in a rollback), and waits at most
     * {@code timeout} for it to end: the server stops it before it stops its stages and closes the database, so that no
     * rehearsal is cut short by a closing pool.
     *
     * @return whether the warm-up has ended (or never ran)
     */
    public boolean stop(Duration timeout) {
        Thread t;
        synchronized (this) {
            stopping = true;
            t = thread;
        }
        if (t == null) {
            return true;
        }
        try {
            t.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    private void run(int port) {
        long t0 = System.nanoTime();
        try {
            byte[] xlsx = workbook(ROWS);
            long records = 0;
            for (int i = 0; i < ROUNDS; i++) {
                if (stopping) {
                    LOG.info(
                            "warm-up stopped after {} ms and {} of {} rounds: the server is stopping",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                            i,
                            ROUNDS);
                    return;
                }
                UploadSummary summary = uploads.rehearse(xlsx, REHEARSALS);
                records += summary.totals().records();
                json.writeValueAsBytes(summary);
            }
            http(port, tokens.issue(CALLER, "intake-warmup").access());
            long t1 = System.nanoTime();
            long heap = collect();
            LOG.info(
                    "warm-up done in {} ms ({} rounds of {} records read, validated, staged, paged and committed in"
                            + " rolled-back transactions; then a full collection in {} ms, {} MB of heap kept)",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                    ROUNDS,
                    records / ROUNDS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1),
                    heap >> 20);
        } catch (JsonProcessingException | RuntimeException | Error ex) {
            LOG.info(
                    "warm-up stopped after {} ms: {}",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                    ex.toString());
        } finally {
            done = true;
        }
    }

    /**
     * Collects the warm-up's garbage and gives back the heap it grew; returns the heap kept, in bytes. A full
     * collection shrinks the heap to the free share the JVM options allow ({@code MaxHeapFreeRatio}), where the
     * collector would otherwise wait for an idle spell (decision 13). The server is not ready yet: no request waits.
     */
    private static long collect() {
        System.gc();
        return Runtime.getRuntime().totalMemory();
    }

    /**
     * A few requests through Jetty, the filters and the problem mapper: without a token (answered 401), and the list of
     * uploads with {@code token} (answered with the warm-up's own, empty).
     *
     * @throws IllegalStateException if the request with the token is not answered 200
     */
    private static void http(int port, String token) {
        for (String path : new String[] {"/api/v1", Health.LIVE, "/api/v1/uploads"}) {
            get(port, path, null);
        }
        int status = get(port, "/api/v1/uploads", token);
        if (status != 200) {
            throw new IllegalStateException("the request with the warm-up's token was answered " + status);
        }
    }

    /** {@code GET path} on loopback, with {@code token} unless null; its answer read to the end; returns its status. */
    private static int get(int port, String path, String token) {
        try {
            HttpURLConnection c = (HttpURLConnection)
                    URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(5_000);
            if (token != null) {
                c.setRequestProperty("Authorization", "Bearer " + token);
            }
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            c.disconnect();
            return status;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Writes a text cell, or leaves it blank every so often (a required field missing, as real lists have them: the
     * commit then binds empty texts, which the rest of the workbook never does), or holds spaces alone.
     */
    private static void text(Worksheet ws, int r, int c, String value) {
        int every = BLANK_EVERY[c];
        if (r % every == 0) {
            return;
        }
        String text = r % (every + 2) == 0 ? "   " : value;
        if (c == 0 || c == 3) {
            ws.value(r, c, text); // a shared string
        } else {
            ws.inlineString(r, c, text);
        }
    }

    /**
     * A registration workbook of {@code rows} records, built in memory: about one in six with a defect (missing
     * fields, blank or spaces alone, a short NID, a foreign phone, an unknown gender, an email without its domain's
     * end), a few duplicate NIDs, phones and emails, values written as people write them (NIDs and phones with
     * spaces and dashes, names and emails in capitals, "Male" and "female"), every tenth NID and every
     * other phone a number cell, names and genders as shared strings and the other texts inline (as spreadsheet
     * programs and generators write them).
     */
    public static byte[] workbook(int rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows * 64);
        try {
            Workbook wb = new Workbook(out, "intake", "1.0");
            Worksheet ws = wb.newWorksheet("People");
            String[] header = {"names", "nid", "phone_number", "gender", "email"};
            for (int c = 0; c < header.length; c++) {
                ws.value(0, c, header[c]);
            }
            for (int r = 1; r <= rows; r++) {
                boolean male = r % 2 == 0;
                int serial = r % 29 == 0 ? r - 1 : r; // a few NIDs repeat the row before's
                String first = FIRST[r % FIRST.length];
                String last = LAST[(r / FIRST.length) % LAST.length];
                long nid = 1_1950_0_0000000_0_00L
                        + (long) (serial % 50) * 100_000_000_000L
                        + (serial % 2 == 0 ? 8L : 7L) * 10_000_000_000L
                        + serial * 100L
                        + serial % 97;
                long phone = 780_000_000L + (r % 101 == 0 ? r - 1 : r); // and a few phones
                String name = r % 41 == 0 ? first + "2 " + last : first + " " + last;
                text(ws, r, 0, r % 17 == 0 ? "  " + name.toUpperCase(Locale.ROOT) + " " : name);
                if (r % 10 == 0) {
                    ws.value(r, 1, nid);
                } else {
                    String digits = Long.toString(nid);
                    text(
                            ws,
                            r,
                            1,
                            r % 53 == 0
                                    ? digits.substring(1)
                                    : r % 31 == 0
                                            ? digits.substring(0, 1) + " " + digits.substring(1, 5) + " "
                                                    + digits.substring(5)
                                            : digits);
                }
                if (r % 2 == 0) {
                    ws.value(r, 2, phone);
                } else {
                    text(
                            ws,
                            r,
                            2,
                            r % 37 == 0
                                    ? "+254 7" + r
                                    : r % 19 == 0 ? "+250 " + phone / 1000 + "-" + phone % 1000 : "0" + phone);
                }
                text(ws, r, 3, r % 61 == 0 ? "X" : r % 13 == 0 ? (male ? "Male" : "female") : male ? "M" : "F");
                String email = (first + "." + last)
                                .toLowerCase(Locale.ROOT)
                                .replace("'", "")
                                .replace('é', 'e')
                        + (r % 103 == 0 ? r - 1 : r)
                        + (r % 43 == 0 ? "@example" : "@example.rw");
                text(ws, r, 4, r % 27 == 0 ? email.toUpperCase(Locale.ROOT) : email);
            }
            wb.finish();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
