package rw.intake.storage;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Connection URLs (JDBC, Redis) as logs and messages may show them: without the passwords they may carry. */
public final class Redacted {
    /**
     * {@code scheme://user:password@host} and {@code scheme://:password@host}: the password, up to the last {@code @}
     * before the host (a password may hold one).
     */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:,]*:)([^/,]*)@");
    /** {@code redis://password@host}: a Redis URL's user information without a colon is its password (Lettuce's). */
    private static final Pattern REDIS_PASSWORD = Pattern.compile("(?i)(^rediss?://)([^/:,]*)@");
    /**
     * A parameter whose name ends in {@code password}, any case ({@code ?password=…}, {@code &sslpassword=…},
     * {@code ;trustStorePassword=…}, MariaDB's {@code address=(…)(password=…)}): its value.
     */
    private static final Pattern PARAMETER = Pattern.compile("(?i)([?&;(][^=&;?/()]*password=)([^&;)]*)");

    private static final String MASK = "***";

    private Redacted() {}

    /** The URL with each password it holds replaced by {@code ***}; null stays null. */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String out = USER_INFO.matcher(url).replaceAll("$1" + MASK + "@");
        out = REDIS_PASSWORD.matcher(out).replaceAll("$1" + MASK + "@");
        return PARAMETER.matcher(out).replaceAll("$1" + MASK);
    }

    /**
     * A message about a connection to {@code url} (a driver's, which may quote the URL or a part of it, such as
     * {@code Incorrect port value : s3cret@127.0.0.1}) with each password the URL holds replaced by {@code ***}, as
     * written and percent-decoded; null stays null.
     */
    public static String message(String message, String url) {
        if (message == null || url == null) {
            return message;
        }
        String out = message;
        for (String secret : secrets(url)) {
            out = out.replace(secret, MASK);
        }
        return out;
    }

    /** The passwords {@code url} holds, as written and percent-decoded, longest first. */
    private static Set<String> secrets(String url) {
        Set<String> found = new LinkedHashSet<>();
        for (Pattern p : new Pattern[] {USER_INFO, REDIS_PASSWORD, PARAMETER}) {
            Matcher m = p.matcher(url);
            while (m.find()) {
                String secret = m.group(2);
                if (!secret.isEmpty()) {
                    found.add(secret);
                    try {
                        found.add(URLDecoder.decode(secret, StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException notEncoded) {
                        // kept as written only
                    }
                }
            }
        }
        return found.stream()
                .sorted((a, b) -> Integer.compare(b.length(), a.length()))
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
