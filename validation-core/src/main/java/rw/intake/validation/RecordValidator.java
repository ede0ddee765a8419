package rw.intake.validation;

import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import rw.intake.validation.internal.CurrentYear;
import rw.intake.validation.internal.Emails;
import rw.intake.validation.internal.Findings;
import rw.intake.validation.internal.Genders;
import rw.intake.validation.internal.Names;
import rw.intake.validation.internal.Nids;
import rw.intake.validation.internal.Phones;

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

    /**
     * Default minimum age below which {@code nid.underage} warns: the holder is "younger than 16" when
     * {@code currentYear - birthYear < 16} (the NID carries the birth year only, so this is the age reached this year).
     */
    public static final int DEFAULT_MINIMUM_AGE = 16;
    /** Default regions whose mobile numbers are accepted. */
    public static final Set<String> DEFAULT_PHONE_REGIONS = Set.of("RW");
    /** How many NIDs one {@link RegisteredNids} look-up asks about at most. */
    public static final int REGISTERED_LOOKUP_BATCH = 1000;

    private final Clock clock;
    private final int minimumAge;
    private final Set<String> phoneRegions;
    private final RegisteredNids registeredNids;
    private final CurrentYear currentYear;
    private final Phones phones;

    private RecordValidator(Builder b) {
        this.clock = b.clock;
        this.minimumAge = b.minimumAge;
        this.phoneRegions = Set.copyOf(b.phoneRegions);
        this.registeredNids = b.registeredNids;
        this.currentYear = new CurrentYear(clock);
        this.phones = new Phones(phoneRegions);
    }

    /** A validator with the defaults of the rules page: system clock, minimum age 16, region RW, nothing registered. */
    public static RecordValidator defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Field rules only (no cross-row rule, no database look-up). Violations come in field order (names, nid,
     * phone_number, gender, email). Thread-safe.
     *
     * @throws NullPointerException if {@code record} is null
     */
    public ValidatedRecord validate(RawRecord record) {
        Findings findings = new Findings();
        String names = Names.check(record.names(), findings);
        String gender = Genders.normalize(record.gender());
        String nid = Nids.check(record.nid(), gender, currentYear.get(), minimumAge, record.nidNumeric(), findings);
        String phone = phones.check(record.phoneNumber(), findings);
        Genders.report(record.gender(), gender, findings);
        String email = Emails.check(record.email(), findings);
        return ValidatedRecord.of(record, new Normalized(names, nid, phone, gender, email), findings.toList());
    }

    /** A fresh, single-threaded validator for one upload's cross-row rules. */
    public BatchValidator newBatch() {
        return new BatchValidator(this, 0);
    }

    /**
     * A fresh, single-threaded validator for one upload's cross-row rules, its duplicate index sized up front for
     * about this many records (saving re-hashing as it grows; it still grows past them). The index then holds some
     * 40 bytes per expected record from the start, so pass the sheet's row count, not an upper limit.
     *
     * @throws IllegalArgumentException if {@code expectedRecords} is negative
     */
    public BatchValidator newBatch(int expectedRecords) {
        return new BatchValidator(this, expectedRecords);
    }

    /**
     * Every rule, including duplicates across the list and already-registered NIDs (looked up in batches of
     * {@link #REGISTERED_LOOKUP_BATCH}). Returns an unmodifiable list in the order of {@code records}.
     *
     * @throws IllegalArgumentException if the rows do not ascend
     */
    public List<ValidatedRecord> validateAll(List<RawRecord> records) {
        BatchValidator batch = newBatch(records.size());
        List<ValidatedRecord> out = new ArrayList<>(records.size());
        List<ValidatedRecord> chunk = new ArrayList<>(Math.min(records.size(), REGISTERED_LOOKUP_BATCH));
        for (RawRecord r : records) {
            chunk.add(batch.next(r));
            if (chunk.size() == REGISTERED_LOOKUP_BATCH) {
                out.addAll(batch.markRegistered(chunk));
                chunk.clear();
            }
        }
        out.addAll(batch.markRegistered(chunk));
        return Collections.unmodifiableList(out);
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
        private Clock clock = Clock.system(ZoneId.systemDefault());
        private int minimumAge = DEFAULT_MINIMUM_AGE;
        private Set<String> phoneRegions = DEFAULT_PHONE_REGIONS;
        private RegisteredNids registeredNids = RegisteredNids.none();

        private Builder() {}

        /** The clock whose year is "the current year" (birth-year and underage rules). Default: the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Minimum age for {@code nid.underage}, which warns when {@code currentYear - birthYear < years}. Default 16;
         * 0 turns the warning off.
         *
         * @throws IllegalArgumentException if not within 0..150
         */
        public Builder minimumAge(int years) {
            if (years < 0 || years > 150) {
                throw new IllegalArgumentException("minimumAge out of range: " + years);
            }
            this.minimumAge = years;
            return this;
        }

        /**
         * Regions (ISO 3166 codes, upper case) whose mobile numbers are valid. Default {@code RW}. Numbers written
         * without a country code are read as Rwandan when {@code RW} is among them, else as numbers of the
         * alphabetically first region; {@link #build()} throws {@link IllegalArgumentException} for a region
         * libphonenumber does not know.
         */
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
