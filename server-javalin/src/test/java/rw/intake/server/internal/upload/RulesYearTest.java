package rw.intake.server.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import rw.intake.excel.ReadLimits;
import rw.intake.server.internal.auth.Principal;
import rw.intake.storage.DatabaseConfig;
import rw.intake.storage.Storage;

/**
 * The rules' current year is Kigali's, whatever the clock's zone: at 23:30 UTC on 31 December it is already the next
 * year in Rwanda. The module runs over a real H2 database with a fixed clock (the server's wiring takes the system's).
 */
final class RulesYearTest {

    @Test
    void lastHalfHourOfTheYearInUtc_judgedInKigalisNewYear() {
        // Kiritimati is a day ahead of UTC, Pago Pago behind it: neither is the rules' zone
        for (String zone : new String[] {"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"}) {
            Clock clock = Clock.fixed(Instant.parse("2026-12-31T23:30:00Z"), ZoneId.of(zone));
            UploadModule.Settings config =
                    new UploadModule.Settings(ReadLimits.defaults(), 1_000, 1_000, 5, Duration.ofMinutes(10), 1);
            String url = "jdbc:h2:mem:y" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
            try (Storage storage = Storage.open(DatabaseConfig.of(url, "sa", ""));
                    UploadModule module = UploadModule.create(
                            config, storage.users(), Ticker.systemTicker(), UploadEvents.NONE, clock)) {
                Principal clerk = new Principal("clerk", Principal.CLERK);
                // born 2027 (this year in Kigali: underage, not a year to come), 2026, 2011 (16 in 2027), 2010
                String csv = """
                        names,nid,phone number,gender,email
                        Born Next Year,1202780012345678,0788100001,M,a1@x.rw
                        Born This Year,1202680012345678,0788100002,M,a2@x.rw
                        Turns Sixteen,1201180012345678,0788100003,M,a3@x.rw
                        Turns Seventeen,1201080012345678,0788100004,M,a4@x.rw
                        """;
                String id = module.service()
                        .accept(clerk, new IncomingFile("year.csv", csv.getBytes(StandardCharsets.UTF_8)), null)
                        .id();
                module.service().awaitValidation(clerk, id, Duration.ofSeconds(30));
                UploadSummary summary = module.service().summary(clerk, id);

                assertThat(summary.violationsByCode()).as(zone).isEqualTo(Map.of("nid.underage", 2L));
                assertThat(summary.totals().invalid()).as(zone).isZero();
                assertThat(summary.createdAt()).as(zone).isEqualTo(Instant.parse("2026-12-31T23:30:00Z"));
            }
        }
    }
}
