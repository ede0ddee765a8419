package rw.intake.validation.internal;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneMetadata;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import rw.intake.validation.Codes;
import rw.intake.validation.Field;
import rw.intake.validation.Text;

/**
 * The phone rule: a mobile number of an allowed region by libphonenumber's metadata, normalized to E.164.
 *
 * <p>Two paths that must agree. The <em>fast path</em> reads the written forms of Rwandan numbers by hand
 * ({@code 7XXXXXXXX}, {@code 07XXXXXXXX}, {@code 2507XXXXXXXX}, {@code +2507XXXXXXXX}, {@code 002507XXXXXXXX}) and
 * types the national number with the RW metadata the way {@code PhoneNumberUtil.getNumberType} does, with each
 * pattern compiled once to a digit automaton. It answers only where the library provably reads the number the same
 * way; anything else (another country code, a leading zero after the prefix, odd lengths) goes to the <em>full
 * path</em>: {@code PhoneNumberUtil.parse} and {@code getNumberType}. Immutable and thread-safe.
 */
public final class Phones {

    private static final String FAST_REGION = "RW";
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private final Set<String> regions;
    private final String defaultRegion;
    private final RegionTyping fast;
    /** Whether RW is the only region and its mobile numbers are told apart from its fixed lines. */
    private final boolean fastOnly;

    /** @throws IllegalArgumentException if libphonenumber has no metadata for one of the regions */
    public Phones(Set<String> regions) {
        for (String region : regions) {
            if (!UTIL.getSupportedRegions().contains(region)) {
                throw new IllegalArgumentException("no phone metadata for region " + region);
            }
        }
        this.regions = Set.copyOf(regions);
        this.defaultRegion = regions.contains(FAST_REGION) ? FAST_REGION : new TreeSet<>(regions).first();
        this.fast = regions.contains(FAST_REGION) ? RegionTyping.of(metadata(FAST_REGION)) : null;
        this.fastOnly = fast != null && regions.size() == 1 && !fast.sameMobileAndFixedLine;
    }

    static PhoneMetadata metadata(String region) {
        PhoneMetadata m = DefaultMetadataDependenciesProvider.getInstance()
                .getPhoneNumberMetadataSource()
                .getMetadataForRegion(region);
        if (m == null) {
            throw new IllegalArgumentException("no phone metadata for region " + region);
        }
        return m;
    }

    /** The region whose national forms (no country code) numbers are read in. */
    public String defaultRegion() {
        return defaultRegion;
    }

    /** Checks the phone cell; returns its E.164 form, or {@code null} if it has an error. */
    public String check(String raw, Findings findings) {
        String s = Text.strip(raw);
        if (s.isEmpty()) {
            findings.error(Field.PHONE_NUMBER, Codes.PHONE_REQUIRED, "Phone number is required");
            return null;
        }
        String cleaned = clean(s);
        String e164 = cleaned == null ? "" : fastPath(cleaned);
        if (e164 == null) {
            // Rwanda alone: a number in none of the five written forms is invalid, also where libphonenumber would
            // still read it (a national prefix after the country code, +250 0788 123 456)
            e164 = fastOnly ? "" : fullPath(cleaned);
        }
        if (e164.isEmpty()) {
            findings.error(
                    Field.PHONE_NUMBER,
                    Codes.PHONE_INVALID,
                    "Phone number must be a mobile number" + regionWords()
                            + " such as 0788123456 or +250788123456; found " + Findings.quote(s) + dashWords(s));
            return null;
        }
        return e164;
    }

    /**
     * For a cell holding a dash other than the hyphen {@code -} (an en dash or a no-break hyphen that a word processor
     * put in): words saying which one, since it looks like the hyphen the rule ignores; else {@code ""}.
     */
    private static String dashWords(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c != '-' && Character.getType(c) == Character.DASH_PUNCTUATION) || c == '\u2212') {
                return " (" + Findings.quoteCodePoint(c) + String.format(Locale.ROOT, ", U+%04X,", (int) c)
                        + " is not the hyphen -: type the hyphen, or leave the separators out)";
            }
        }
        return "";
    }

    private String regionWords() {
        return regions.equals(Set.of(FAST_REGION)) ? " of Rwanda" : " of " + new TreeSet<>(regions);
    }

    /**
     * The cell without spaces, hyphens, dots and parentheses: a {@code +} only in front, then ASCII digits; or
     * {@code null} when anything else is left (letters are not read as dial-pad digits).
     */
    public static String clean(String s) {
        int n = s.length();
        StringBuilder b = null;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean keep = Chars.isAsciiDigit(c) || (c == '+' && kept == 0);
            if (keep) {
                kept++;
                if (b != null) {
                    b.append(c);
                }
            } else if (c == '-' || c == '.' || c == '(' || c == ')' || Text.isSpace(c)) {
                if (b == null) {
                    b = new StringBuilder(n);
                    b.append(s, 0, i);
                }
            } else {
                return null;
            }
        }
        String cleaned = b == null ? s : b.toString();
        return cleaned.isEmpty() || cleaned.equals("+") ? null : cleaned;
    }

    /**
     * The fast path over a {@link #clean cleaned} cell: the E.164 form when valid, {@code ""} when invalid,
     * {@code null} when it cannot decide.
     */
    public String fastPath(String c) {
        if (fast == null) {
            return null;
        }
        int n = c.length();
        boolean plus = c.charAt(0) == '+';
        if (fastOnly && (plus ? !c.startsWith(fast.countryCode, 1) : n < fast.nationalLength)) {
            // Only RW is allowed: another country code is not RW; fewer digits than a mobile number has cannot
            // become one, as parsing only ever strips prefixes.
            return "";
        }
        int from;
        if (plus) {
            from = c.startsWith(fast.countryCode, 1) ? 1 + fast.countryCode.length() : -1;
        } else if (fast.idd != null && c.startsWith(fast.idd) && c.startsWith(fast.countryCode, fast.idd.length())) {
            from = fast.idd.length() + fast.countryCode.length();
        } else if (n == fast.nationalLength + fast.countryCode.length() && c.startsWith(fast.countryCode)) {
            from = fast.countryCode.length();
        } else if (fast.nationalPrefix != null
                && n == fast.nationalLength + fast.nationalPrefix.length()
                && c.startsWith(fast.nationalPrefix)) {
            from = fast.nationalPrefix.length();
        } else {
            from = 0;
        }
        if (from < 0 || n - from != fast.nationalLength || fast.ambiguous(c, from)) {
            return null;
        }
        return fast.isMobile(c, from, n) ? fast.e164(c, from) : "";
    }

    /** The full path over a {@link #clean cleaned} cell: libphonenumber's parser; the E.164 form or {@code ""}. */
    public String fullPath(String c) {
        if (c == null) {
            return "";
        }
        try {
            PhoneNumber number = UTIL.parse(c, defaultRegion);
            String region = UTIL.getRegionCodeForNumber(number);
            if (region == null || !regions.contains(region)) {
                return "";
            }
            PhoneNumberType type = UTIL.getNumberType(number);
            if (type != PhoneNumberType.MOBILE && type != PhoneNumberType.FIXED_LINE_OR_MOBILE) {
                return "";
            }
            return UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
        } catch (NumberParseException e) {
            return "";
        }
    }

    /**
     * What the fast path needs of one region's metadata: its country code, prefixes, the single national length of
     * its mobile numbers, and the number types that {@code getNumberType} tries before mobile.
     */
    static final class RegionTyping {
        final String countryCode;
        final String nationalPrefix;
        final String idd;
        final int nationalLength;
        final NationalNumberDesc general;
        final NationalNumberDesc[] before;
        final NationalNumberDesc fixedLine;
        final NationalNumberDesc mobile;
        final boolean sameMobileAndFixedLine;
        /**
         * General, before (8), fixed line and mobile run at once over national numbers of {@link #nationalLength}
         * digits (bits {@link #GENERAL_BIT}...); {@code null} when some pattern runs as a regex: then one by one.
         */
        final DigitProduct all;

        private static final int GENERAL_BIT = 1;
        private static final int BEFORE_BITS = 0xFF << 1;
        private static final int FIXED_LINE_BIT = 1 << 9;
        private static final int MOBILE_BIT = 1 << 10;

        private RegionTyping(PhoneMetadata m, int nationalLength) {
            this.countryCode = Integer.toString(m.getCountryCode());
            this.nationalPrefix = digitsOrNull(m.getNationalPrefix());
            this.idd = digitsOrNull(m.getInternationalPrefix());
            this.nationalLength = nationalLength;
            this.general = NationalNumberDesc.of(m.getGeneralDesc());
            this.before = new NationalNumberDesc[] {
                NationalNumberDesc.of(m.getPremiumRate()), NationalNumberDesc.of(m.getTollFree()),
                NationalNumberDesc.of(m.getSharedCost()), NationalNumberDesc.of(m.getVoip()),
                NationalNumberDesc.of(m.getPersonalNumber()), NationalNumberDesc.of(m.getPager()),
                NationalNumberDesc.of(m.getUan()), NationalNumberDesc.of(m.getVoicemail()),
            };
            this.fixedLine = NationalNumberDesc.of(m.getFixedLine());
            this.mobile = NationalNumberDesc.of(m.getMobile());
            this.sameMobileAndFixedLine = m.getSameMobileAndFixedLinePattern();
            this.all = nationalLength > 0 ? product(nationalLength) : null;
        }

        private DigitProduct product(int length) {
            DigitAutomaton[] parts = new DigitAutomaton[before.length + 3];
            parts[0] = general.automatonFor(length);
            for (int i = 0; i < before.length; i++) {
                parts[1 + i] = before[i].automatonFor(length);
            }
            parts[before.length + 1] = fixedLine.automatonFor(length);
            parts[before.length + 2] = mobile.automatonFor(length);
            for (DigitAutomaton a : parts) {
                if (a == null) {
                    return null;
                }
            }
            return DigitProduct.of(parts, length);
        }

        static RegionTyping of(PhoneMetadata m) {
            boolean plainPrefix = !m.hasNationalPrefixForParsing()
                    || m.getNationalPrefixForParsing().equals(m.getNationalPrefix());
            if (m.getMobile().getPossibleLengthCount() != 1 || !plainPrefix || m.hasNationalPrefixTransformRule()) {
                return null;
            }
            return new RegionTyping(m, m.getMobile().getPossibleLength(0));
        }

        private static String digitsOrNull(String s) {
            if (s == null || s.isEmpty()) {
                return null;
            }
            for (int i = 0; i < s.length(); i++) {
                if (!Chars.isAsciiDigit(s.charAt(i))) {
                    return null;
                }
            }
            return s;
        }

        /**
         * Whether libphonenumber might read this national number otherwise than as written: it starts with the
         * national prefix (stripped again, or an international prefix) or with the country code (stripped).
         */
        boolean ambiguous(String c, int from) {
            return (nationalPrefix != null && c.startsWith(nationalPrefix, from))
                    || (idd != null && c.startsWith(idd, from))
                    || c.startsWith(countryCode, from);
        }

        /** {@code getNumberType} is MOBILE or FIXED_LINE_OR_MOBILE, decided as the library does. */
        boolean isMobile(String c, int from, int to) {
            if (all != null && to - from == nationalLength) {
                int m = all.matches(c, from, to);
                if ((m & GENERAL_BIT) == 0 || (m & BEFORE_BITS) != 0) {
                    return false;
                }
                if ((m & FIXED_LINE_BIT) != 0) {
                    return sameMobileAndFixedLine || (m & MOBILE_BIT) != 0;
                }
                return !sameMobileAndFixedLine && (m & MOBILE_BIT) != 0;
            }
            return isMobileOneByOne(c, from, to);
        }

        /** {@link #isMobile} running each type's pattern in turn. */
        boolean isMobileOneByOne(String c, int from, int to) {
            if (!general.matches(c, from, to)) {
                return false;
            }
            for (NationalNumberDesc d : before) {
                if (d.matches(c, from, to)) {
                    return false;
                }
            }
            if (fixedLine.matches(c, from, to)) {
                return sameMobileAndFixedLine || mobile.matches(c, from, to);
            }
            return !sameMobileAndFixedLine && mobile.matches(c, from, to);
        }

        /** The E.164 form of the national number {@code c[from..]}: {@code c} itself when written so. */
        String e164(String c, int from) {
            if (c.charAt(0) == '+' && from == 1 + countryCode.length()) {
                return c;
            }
            return new StringBuilder(1 + countryCode.length() + c.length() - from)
                    .append('+')
                    .append(countryCode)
                    .append(c, from, c.length())
                    .toString();
        }
    }
}
