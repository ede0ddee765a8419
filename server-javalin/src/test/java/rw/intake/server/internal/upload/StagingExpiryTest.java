package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import rw.intake.excel.ReadLimits;
import rw.intake.server.internal.auth.Principal;
import rw.intake.server.internal.http.ApiException;
import rw.intake.storage.DatabaseConfig;
import rw.intake.storage.Storage;

/**
 * Idle expiry of staged uploads, timed by a ticker the test advances (no sleeping). The server's wiring does not
 * expose the ticker, so this runs the module itself over a real H2 database.
 */
final class StagingExpiryTest {

    @Test
    void summary_expiredUploadIsNotFound() {
        AtomicLong nanos = new AtomicLong();
        Ticker ticker = nanos::get;
        UploadModule.Settings config =
                new UploadModule.Settings(ReadLimits.defaults(), 2_000_000, 2_000_000, 5, Duration.ofMinutes(10), 2);
        String url = "jdbc:h2:mem:x" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""));
                UploadModule module = UploadModule.create(config, storage.users(), ticker)) {
            Principal clerk = new Principal("clerk", Principal.CLERK);
            byte[] file = Workbooks.xlsx(List.of(Workbooks.HEADER, Workbooks.person(1), Workbooks.person(2)));
            String id = module.service()
                    .accept(clerk, new IncomingFile("a.xlsx", file), null)
                    .id();
            module.service().awaitValidation(clerk, id, Duration.ofSeconds(30));
            assertThat(module.service().summary(clerk, id).status()).isEqualTo("validated");
            assertThat(module.stagedRecordsReserved()).isEqualTo(2);

            nanos.addAndGet(Duration.ofMinutes(9).toNanos());
            assertThat(module.service().summary(clerk, id).totals().records()).isEqualTo(2);
            nanos.addAndGet(Duration.ofMinutes(9).toNanos());
            assertThat(module.service().list(clerk)).hasSize(1);
            nanos.addAndGet(Duration.ofMinutes(11).toNanos());

            assertThatThrownBy(() -> module.service().summary(clerk, id))
                    .isInstanceOfSatisfying(
                            ApiException.class, ex -> assertThat(ex.code()).isEqualTo("upload.not_found"));
            assertThat(module.service().list(clerk)).isEmpty();
            assertThat(module.stagedRecordsReserved()).isZero();
        }
    }
}
