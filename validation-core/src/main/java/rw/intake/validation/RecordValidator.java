package rw.intake.validation;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Validates registration records by the rules of VALIDATION-RULES.md. Immutable and thread-safe: one instance
 * serves any number of threads. Cross-row rules (duplicates) need state and live in a {@link BatchValidator}
 * from {@link #newBatch()}.
 *
 * <pre>{@code
 * RecordValidator validator = RecordValidator.builder().minimumAge(16).build();
 * ValidatedRecord one = validator.validate(RawRecord.of(2, "Bob Kagabo", "1199480035534601", "0785576983", "M", "bob@gmail.com"));
 * List<ValidatedRecord> all = validator.validateAll(records);   // field + cross-row + already-registered rules
 * }</pre>
 */
public final class RecordValidator {

    /** Default minimum age below which {@code nid.underage} warns. */
    public static final int DEFAULT_MINIMUM_AGE = 16;
    /** Default regions whose mobile numbers are accepted. */
    public static final Set<String> DEFAULT_PHONE_REGIONS = Set.of("RW");
    /** How many NIDs one {@link RegisteredNids} look-up asks about at most. */
    public static final int REGISTERED_LOOKUP_BATCH = 1000;

    private final Clock clock;
    private final int minimumAge;
    private final Set<String> phoneRegions;
    private final RegisteredNids registeredNids;

    private RecordValidator(Builder b) {
        this.clock = b.clock;
        this.minimumAge = b.minimumAge;
        this.phoneRegions = Set.copyOf(b.phoneRegions);
        this.registeredNids = b.registeredNids;
    }

    /** A validator with the defaults of the rules page. */
    public static RecordValidator defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Field rules only (no cross-row rule, no database look-up). */
    public ValidatedRecord validate(RawRecord record) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** A fresh, single-threaded validator for one upload's cross-row rules. */
    public BatchValidator newBatch() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Every rule, including duplicates across the list and already-registered NIDs (looked up in batches). */
    public List<ValidatedRecord> validateAll(List<RawRecord> records) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Every rule over a stream in row order, lazily; records come out in the order they went in. Already-registered
     * look-ups are made in batches of {@link #REGISTERED_LOOKUP_BATCH}.
     */
    public Stream<ValidatedRecord> validate(Stream<RawRecord> records) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public Clock clock() {
        return clock;
    }

    public int minimumAge() {
        return minimumAge;
    }

    public Set<String> phoneRegions() {
        return phoneRegions;
    }

    public RegisteredNids registeredNids() {
        return registeredNids;
    }

    /** Settings of a {@link RecordValidator}; every one has the default of the rules page. */
    public static final class Builder {
        private Clock clock = Clock.systemDefaultZone();
        private int minimumAge = DEFAULT_MINIMUM_AGE;
        private Set<String> phoneRegions = DEFAULT_PHONE_REGIONS;
        private RegisteredNids registeredNids = RegisteredNids.none();

        private Builder() {
        }

        /** The clock whose year is "the current year" (birth-year and underage rules). Default: the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Minimum age for {@code nid.underage}. Default 16. */
        public Builder minimumAge(int years) {
            if (years < 0 || years > 150) {
                throw new IllegalArgumentException("minimumAge out of range: " + years);
            }
            this.minimumAge = years;
            return this;
        }

        /** Regions (ISO 3166 codes) whose mobile numbers are valid. Default {@code RW}. */
        public Builder phoneRegions(Set<String> regions) {
            if (regions.isEmpty()) {
                throw new IllegalArgumentException("phoneRegions must not be empty");
            }
            this.phoneRegions = Set.copyOf(regions);
            return this;
        }

        /** Where {@code nid.already_registered} is looked up. Default: nothing is registered. */
        public Builder registeredNids(RegisteredNids lookup) {
            this.registeredNids = Objects.requireNonNull(lookup, "registeredNids");
            return this;
        }

        public RecordValidator build() {
            return new RecordValidator(this);
        }
    }
}
