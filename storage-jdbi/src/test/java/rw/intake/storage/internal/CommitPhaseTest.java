package rw.intake.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rw.intake.storage.CommitMode;
import rw.intake.storage.DatabaseKind;
import rw.intake.storage.Records;
import rw.intake.storage.TestDatabase;
import rw.intake.validation.ValidatedRecord;

/** A commit's phases, as JFR events: each phase once, in order, for its upload, with the records it handled. */
final class CommitPhaseTest {

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void commit_recordsEachPhaseAsAnEvent(DatabaseKind kind, @TempDir Path dir) throws Exception {
        try (TestDatabase db = TestDatabase.fresh(kind);
                Recording recording = new Recording()) {
            recording.enable(CommitPhase.NAME).withoutThreshold();
            List<ValidatedRecord> records = Records.validRange(1, 2500);
            recording.start();

            db.storage().users().commit(Records.request("u1", "alice", CommitMode.ALL, records), records);

            recording.stop();
            Path file = dir.resolve("commit.jfr");
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals(CommitPhase.NAME))
                    .sorted(Comparator.comparing(RecordedEvent::getStartTime))
                    .toList();
            assertThat(events).extracting(e -> e.getString("upload")).containsOnly("u1");
            assertThat(events)
                    .extracting(e -> e.getString("phase"))
                    .containsExactlyElementsOf(
                            kind == DatabaseKind.POSTGRESQL_PARTITIONS
                                    ? List.of("upload", "write", "register", "attach", "commit")
                                    : List.of("upload", "lookup", "write", "register", "edits", "commit"));
            Map<String, Long> handled =
                    events.stream().collect(Collectors.toMap(e -> e.getString("phase"), e -> e.getLong("records")));
            assertThat(handled)
                    .containsEntry("write", 2500L)
                    .containsEntry("register", 2500L)
                    .containsEntry("commit", 2500L);
        }
    }
}
