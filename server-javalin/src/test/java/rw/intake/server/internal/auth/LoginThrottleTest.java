package rw.intake.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import rw.intake.server.TestServer;
import rw.intake.server.internal.http.ApiException;

/**
 * Login throttling over real HTTP from several client addresses (sockets bound to 127.0.0.x), with the server's clock
 * moved instead of sleeping, and its log read back.
 */
final class LoginThrottleTest {

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(LoginThrottle.class);

    @BeforeEach
    void attachLog() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void detachLog() {
        logger.detachAppender(log);
    }

    /** An answer read off the socket. */
    private record Answer(int status, String retryAfter, String body) {}

    /** {@code POST /api/v1/token} from local address {@code from}, over a plain socket. */
    // from is always a literal loopback address (127.0.0.x), which names one address and is not looked up
    @SuppressWarnings("AddressSelection")
    private static Answer login(String from, String username, String password) {
        String body = "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", SERVER.app().port()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            String retryAfter = null;
            for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("retry-after:")) {
                    retryAfter = line.substring(12).strip();
                }
            }
            return new Answer(status, retryAfter, text.substring(text.indexOf("\r\n\r\n") + 4));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String password(String clerk) {
        SERVER.clerkToken(clerk);
        return TestServer.clerkPassword(clerk);
    }

    private List<String> messages() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void pair_slowedAfterFiveFailuresButNotFromAnotherAddress() {
        String right = password("pair-user");
        for (int i = 0; i < LoginThrottle.PAIR_BURST; i++) {
            assertThat(login("127.0.0.11", "pair-user", "wrong-password-" + i).status())
                    .isEqualTo(401);
        }
        Answer slowed = login("127.0.0.11", "pair-user", right);
        assertThat(slowed.status()).isEqualTo(429);
        assertThat(slowed.retryAfter()).isEqualTo("60");
        assertThat(slowed.body()).contains("\"code\":\"auth.too_many_attempts\"");

        assertThat(login("127.0.0.12", "pair-user", right).status()).isEqualTo(200);
        assertThat(login("127.0.0.11", TestServer.ADMIN, TestServer.ADMIN_PASSWORD)
                        .status())
                .isEqualTo(200);

        SERVER.advance(LoginThrottle.PAIR_INTERVAL);
        assertThat(login("127.0.0.11", "pair-user", right).status()).isEqualTo(200);
        assertThat(login("127.0.0.11", "pair-user", "wrong-again").status()).isEqualTo(401);
    }

    /**
     * Usernames are case-sensitive: a pair is one account's, so another account whose name differs in case alone is not
     * slowed by its failures, and its sign-in neither clears them nor spares its pair the username's bound.
     */
    @Test
    void pair_isOneAccountsNotItsNameInAnotherCase() {
        String right = password("case-user");
        String other = password("Case-User");
        for (int i = 0; i < LoginThrottle.PAIR_BURST; i++) {
            assertThat(login("127.0.0.70", "case-user", "wrong-password-" + i).status())
                    .isEqualTo(401);
        }
        assertThat(login("127.0.0.70", "Case-User", other).status()).isEqualTo(200);
        assertThat(login("127.0.0.70", "case-user", right).status()).isEqualTo(429);
    }

    @Test
    void user_boundAcrossAddressesSparesThePlacesItSignedInFrom() {
        String right = password("spread-user");
        // the owner signs in from its office before anyone guesses
        assertThat(login("127.0.0.50", "spread-user", right).status()).isEqualTo(200);
        int addresses = LoginThrottle.USER_BURST / LoginThrottle.PAIR_BURST;
        for (int a = 0; a < addresses; a++) {
            for (int i = 0; i < LoginThrottle.PAIR_BURST; i++) {
                assertThat(login("127.0.0." + (51 + a), "spread-user", "guess-" + a + "-" + i)
                                .status())
                        .as("address %d, attempt %d", a, i)
                        .isEqualTo(401);
            }
        }
        // the username's failures are used up: from any other address it waits, whatever the password, and its
        // case does not make it another user
        for (String from : new String[] {"127.0.0.60", "127.0.0.61"}) {
            Answer slowed = login(from, "spread-user", right);
            assertThat(slowed.status()).as(from).isEqualTo(429);
            assertThat(slowed.retryAfter()).isEqualTo("60");
            assertThat(slowed.body()).contains("\"code\":\"auth.too_many_attempts\"");
        }
        assertThat(login("127.0.0.62", "SPREAD-USER", "guess").status()).isEqualTo(429);
        // but not from where it signed in, nor other users from those addresses
        assertThat(login("127.0.0.50", "spread-user", right).status()).isEqualTo(200);
        assertThat(login("127.0.0.60", TestServer.ADMIN, TestServer.ADMIN_PASSWORD)
                        .status())
                .isEqualTo(200);

        // one more attempt per interval, from anywhere: a failure costs another interval
        SERVER.advance(LoginThrottle.USER_INTERVAL);
        assertThat(login("127.0.0.63", "spread-user", "guess-late").status()).isEqualTo(401);
        assertThat(login("127.0.0.64", "spread-user", right).status()).isEqualTo(429);
        SERVER.advance(LoginThrottle.USER_INTERVAL);
        assertThat(login("127.0.0.64", "spread-user", right).status()).isEqualTo(200);
        // a success from one new address does not give the guessers a new allowance
        assertThat(login("127.0.0.65", "spread-user", "guess-after").status()).isEqualTo(401);
        assertThat(login("127.0.0.66", "spread-user", right).status()).isEqualTo(429);
    }

    @Test
    void pair_oneWrongPasswordAfterWaitingNeverDoublesTheWait() {
        String right = password("patient-user");
        for (int i = 0; i < LoginThrottle.PAIR_BURST; i++) {
            login("127.0.0.21", "patient-user", "wrong-password");
        }
        for (int round = 0; round < 6; round++) {
            Answer wait = login("127.0.0.21", "patient-user", right);
            assertThat(wait.status()).as("round %d", round).isEqualTo(429);
            assertThat(wait.retryAfter()).as("round %d", round).isEqualTo("60");
            SERVER.advance(Duration.ofSeconds(60));
            assertThat(login("127.0.0.21", "patient-user", "wrong-password").status())
                    .isEqualTo(401);
        }
        SERVER.advance(LoginThrottle.PAIR_INTERVAL);
        assertThat(login("127.0.0.21", "patient-user", right).status()).isEqualTo(200);
    }

    @Test
    void fiftyRandomUsernamesFromOneAddress_lockNobodyOut() {
        for (int i = 0; i < 50; i++) {
            String someone = "u" + UUID.randomUUID().toString().substring(0, 8);
            assertThat(login("127.0.0.31", someone, "guess-" + i).status())
                    .as("attempt %d", i)
                    .isEqualTo(401);
        }
        assertThat(login("127.0.0.31", TestServer.ADMIN, TestServer.ADMIN_PASSWORD)
                        .status())
                .isEqualTo(200);
        assertThat(login("127.0.0.32", TestServer.ADMIN, TestServer.ADMIN_PASSWORD)
                        .status())
                .isEqualTo(200);
        String clerk = password("office-clerk");
        assertThat(login("127.0.0.31", "office-clerk", clerk).status()).isEqualTo(200);
    }

    @Test
    void failedAndThrottledLogins_areLoggedWithoutThePassword() {
        for (int i = 0; i < LoginThrottle.PAIR_BURST; i++) {
            login("127.0.0.41", "logged-user", "secret-guess-" + i);
        }
        login("127.0.0.41", "logged-user", "secret-guess-last");

        assertThat(messages())
                .filteredOn(m -> m.startsWith("failed login"))
                .hasSize(LoginThrottle.PAIR_BURST)
                .allSatisfy(m -> assertThat(m).isEqualTo("failed login for user 'logged-user' from 127.0.0.41"));
        assertThat(messages())
                .filteredOn(m -> m.startsWith("throttled login"))
                .containsExactly("throttled login for user 'logged-user' from 127.0.0.41: retry in 60 s");
        assertThat(messages()).noneMatch(m -> m.contains("secret-guess"));
        assertThat(log.list).allSatisfy(e -> assertThat(e.getLevel().toString()).isEqualTo("WARN"));
    }

    @Test
    void loggedUsername_hasNoControlCharacters() {
        login("127.0.0.42", "evil\\nINFO forged line", "whatever-password");
        assertThat(messages()).containsExactly("failed login for user 'evil?INFO forged line' from 127.0.0.42");
    }

    /** The address ceiling, on the throttle itself: the HTTP path is the same as above, only the count is larger. */
    @Test
    void address_floodIsSlowedToOneAttemptPerInterval() {
        AtomicLong nanos = new AtomicLong();
        LoginThrottle throttle = new LoginThrottle(nanos::get);
        for (int i = 0; i < LoginThrottle.ADDRESS_BURST; i++) {
            throttle.check("user" + i, "10.0.0.1");
            throttle.failed("user" + i, "10.0.0.1");
        }
        ApiException flood = refused(throttle, "admin", "10.0.0.1");
        assertThat(flood.status()).isEqualTo(429);
        assertThat(flood.headers()).containsEntry("Retry-After", "6");
        throttle.check("admin", "10.0.0.2");

        nanos.addAndGet(LoginThrottle.ADDRESS_INTERVAL.toNanos());
        throttle.check("admin", "10.0.0.1");
        throttle.failed("user-x", "10.0.0.1");
        assertThat(refused(throttle, "admin", "10.0.0.1").headers()).containsEntry("Retry-After", "6");

        nanos.addAndGet(LoginThrottle.ADDRESS_INTERVAL
                .multipliedBy(LoginThrottle.ADDRESS_BURST)
                .toNanos());
        for (int i = 0; i < LoginThrottle.ADDRESS_BURST; i++) {
            throttle.check("again" + i, "10.0.0.1");
            throttle.failed("again" + i, "10.0.0.1");
        }
    }

    /**
     * Attempts checked together (their passwords checked meanwhile) take one slot each: once the ceiling is reached,
     * a pause of more than one interval lets one through, not every attempt sent at once. A sign-in gives its slot back.
     */
    @Test
    void address_attemptsInFlightTogether_takeASlotEach() {
        AtomicLong nanos = new AtomicLong();
        LoginThrottle throttle = new LoginThrottle(nanos::get);
        for (int i = 0; i < LoginThrottle.ADDRESS_BURST - 1; i++) {
            throttle.check("user" + i, "10.0.0.3");
            throttle.failed("user" + i, "10.0.0.3");
        }
        throttle.check("last-free", "10.0.0.3");
        assertThat(refused(throttle, "sent-with-it", "10.0.0.3").status()).isEqualTo(429);
        throttle.failed("last-free", "10.0.0.3");

        nanos.addAndGet(
                LoginThrottle.ADDRESS_INTERVAL.multipliedBy(3).dividedBy(2).toNanos());
        throttle.check("first", "10.0.0.3");
        assertThat(refused(throttle, "second", "10.0.0.3").status()).isEqualTo(429);
        throttle.succeeded("first", "10.0.0.3");
        throttle.check("second", "10.0.0.3");
    }

    /** A guesser flooding from an office's address does not keep out the clerks who signed in from it lately. */
    @Test
    void address_floodSparesThePairsThatSignedInFromIt() {
        AtomicLong nanos = new AtomicLong();
        LoginThrottle throttle = new LoginThrottle(nanos::get);
        throttle.check("clerk", "10.0.0.4");
        throttle.succeeded("clerk", "10.0.0.4");
        for (int i = 0; i < LoginThrottle.ADDRESS_BURST; i++) {
            throttle.check("guess" + i, "10.0.0.4");
            throttle.failed("guess" + i, "10.0.0.4");
        }

        assertThat(refused(throttle, "newcomer", "10.0.0.4").status()).isEqualTo(429);
        throttle.check("clerk", "10.0.0.4");
        throttle.succeeded("clerk", "10.0.0.4");
    }

    private static ApiException refused(LoginThrottle throttle, String username, String address) {
        try {
            throttle.check(username, address);
        } catch (ApiException ex) {
            return ex;
        }
        throw new AssertionError("not refused: " + username + " from " + address);
    }
}
