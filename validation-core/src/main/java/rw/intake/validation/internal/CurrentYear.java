package rw.intake.validation.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * The current year by a clock, cached until the clock passes into another year, so a record costs one
 * {@code clock.millis()} rather than a date computation. Thread-safe.
 */
public final class CurrentYear {

    private record Span(int year, long fromMillis, long untilMillis) {}

    private final Clock clock;
    private volatile Span span = new Span(0, 0, 0);

    public CurrentYear(Clock clock) {
        this.clock = clock;
    }

    public int get() {
        long now = clock.millis();
        Span s = span;
        if (now >= s.fromMillis() && now < s.untilMillis()) {
            return s.year();
        }
        ZonedDateTime t = Instant.ofEpochMilli(now).atZone(clock.getZone());
        ZonedDateTime start = t.toLocalDate().withDayOfYear(1).atStartOfDay(clock.getZone());
        ZonedDateTime end = start.plusYears(1);
        s = new Span(
                t.getYear(), start.toInstant().toEpochMilli(), end.toInstant().toEpochMilli());
        span = s;
        return s.year();
    }
}
