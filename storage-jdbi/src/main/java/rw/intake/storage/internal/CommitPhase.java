package rw.intake.storage.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A phase of a commit, timed at its boundaries: a JFR event ({@value #NAME}, its duration the phase's), and a DEBUG line
 * of this class's logger. The phases, in order: {@code upload} (the {@code uploads} row, or on a partition commit its
 * seq), {@code lookup} (the registered NIDs among the records; on a partition commit part of {@code write}),
 * {@code write} (rows encoded and inserted), {@code register} (the sink's end: the registered NIDs written, or a
 * partition's loads ended), {@code edits} (record edits and the upload's counts) or, on a partition commit,
 * {@code attach} (the transaction that publishes the partition), and {@code commit} (the transaction's COMMIT).
 *
 * <pre>{@code
 * CommitPhase phase = CommitPhase.begin(uploadId, "write");
 * ...
 * phase.end(records);
 * }</pre>
 */
@Name(CommitPhase.NAME)
@Label("Commit phase")
@Category({"Intake", "Storage"})
@Description("A phase of a commit of an upload's records into the database")
@StackTrace(false)
final class CommitPhase extends Event {

    /** The JFR event's name. */
    static final String NAME = "rw.intake.storage.CommitPhase";

    private static final Logger LOG = LoggerFactory.getLogger(CommitPhase.class);

    @Label("Upload")
    String upload;

    @Label("Phase")
    String phase;

    @Label("Records")
    @Description("The records (or NIDs, for register) the phase handled")
    long records;

    /** For the DEBUG line: JFR keeps its own time. */
    private transient long started;

    private CommitPhase(String upload, String phase) {
        this.upload = upload;
        this.phase = phase;
    }

    /** The phase {@code phase} of the commit of {@code upload} begins. */
    static CommitPhase begin(String upload, String phase) {
        CommitPhase event = new CommitPhase(upload, phase);
        event.started = System.nanoTime();
        event.begin();
        return event;
    }

    /** The phase ends, having handled {@code records}: commits the event (if recorded) and logs it (at DEBUG). */
    void end(long records) {
        end();
        this.records = records;
        if (shouldCommit()) {
            commit();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "commit of {}: {}, {} records, {} ms",
                    upload,
                    phase,
                    records,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }
}
