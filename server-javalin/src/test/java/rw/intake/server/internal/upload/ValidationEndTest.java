package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import rw.intake.server.internal.http.ApiException;

/**
 * The end of a validation as readers see it: a shared store writes it there before any instance may say validated
 * ({@link Upload#visibleAfter}). Until then the instance that validated the upload says validating too, though its
 * own copy has ended: a client told validated sends its next request (records, an edit, the commit) to any instance,
 * and each must accept it. (Its copy once said validated in between: a commit sent next answered 409 {@code
 * upload.not_ready} from another look-up that read the store.)
 */
final class ValidationEndTest {

    @Test
    void endOfValidation_shownOnlyOnceVisibleThroughTheStore() {
        Upload upload = new Upload(
                "u1", "alice", "people.xlsx", Instant.now(), List.of(), List.of(), "Sheet1", 1, List.of(), 10);
        CompletableFuture<UploadStatus> written = new CompletableFuture<>();
        upload.visibleAfter(upload.settled().thenCompose(ended -> written));
        upload.finish(0, 0, List.of());

        assertThat(upload.status()).isEqualTo(UploadStatus.VALIDATED);
        assertThat(upload.summary().status()).isEqualTo("validating");
        RecordFilter all = new RecordFilter("all", null, null);
        assertThatThrownBy(() -> upload.page(all, 1, 10))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("upload.not_ready"));

        written.complete(UploadStatus.VALIDATED);
        assertThat(upload.summary().status()).isEqualTo("validated");
        assertThat(upload.page(all, 1, 10).totalItems()).isZero();
    }
}
