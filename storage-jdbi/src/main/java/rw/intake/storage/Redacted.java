package rw.intake.storage;

import java.util.regex.Pattern;

/** Connection URLs (JDBC, Redis) as logs and messages may show them: without the passwords they may carry. */
public final class Redacted {
    /** {@code scheme://user:password@host} and {@code scheme://:password@host}: the password. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:,]*:)[^/@,]*@");
    /** {@code ?password=…}, {@code &password=…}, {@code ;password=…} (JDBC URLs), any case. */
    private static final Pattern PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");

    private Redacted() {}

    /** The URL with each password it holds replaced by {@code ***}; null stays null. */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String out = USER_INFO.matcher(url).replaceAll("$1***@");
        return PARAMETER.matcher(out).replaceAll("$1***");
    }
}
