package rw.intake.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rw.intake.server.internal.auth.Accounts;
import rw.intake.server.internal.auth.Passwords;
import rw.intake.storage.Account;
import rw.intake.storage.Storage;
import rw.intake.storage.UsernameTakenException;

/** The create-user and set-password commands, on a real (in-memory H2) database, with the password rules. */
final class MainTest {

    private final ServerConfig config = ServerConfig.fromEnv(
            Map.of("DB_URL", "jdbc:h2:mem:cli" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1"));
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private PrintStream print(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }

    private int createUser(String password, String... args) {
        return Main.createUser(config, List.of(args), password, print(out), print(err));
    }

    private int setPassword(String username, String password) {
        return Main.setPassword(config, username, password, print(out), print(err));
    }

    private Account account(String username) {
        try (Storage storage = config.openStorage()) {
            return storage.accounts().find(username).orElse(null);
        }
    }

    /** Instances started together on a new database each make sure an admin exists: one creates it, none fails. */
    @Test
    void ensureAdmin_byInstancesStartedTogether_oneAdminNoFailure() throws Exception {
        int instances = 4;
        for (int round = 0; round < 3; round++) {
            ServerConfig fresh = ServerConfig.fromEnv(Map.of(
                    "DB_URL",
                    "jdbc:h2:mem:start" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1"));
            List<Storage> storages = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                storages.add(fresh.openStorage());
            }
            ExecutorService pool = Executors.newFixedThreadPool(instances);
            try {
                CyclicBarrier together = new CyclicBarrier(instances);
                List<Future<Optional<String>>> started = new ArrayList<>();
                for (Storage s : storages) {
                    started.add(pool.submit(() -> {
                        together.await();
                        return Accounts.ensureAdmin(s.accounts(), "admin", "Rubavu-beach-sunset");
                    }));
                }
                for (Future<Optional<String>> f : started) {
                    assertThat(f.get()).isEmpty();
                }
                assertThat(storages.get(0).accounts().countWithRole("admin")).isEqualTo(1);
            } finally {
                pool.shutdownNow();
                storages.forEach(Storage::close);
            }
        }
    }

    /** An account of that name that is not an admin is not taken for one. */
    @Test
    void ensureAdmin_nameOfAClerk_refused() {
        try (Storage storage = config.openStorage()) {
            Accounts.create(storage.accounts(), "admin", "Rubavu-beach-sunset", "clerk");
            assertThatThrownBy(() -> Accounts.ensureAdmin(storage.accounts(), "admin", "Rubavu-beach-sunset"))
                    .isInstanceOf(UsernameTakenException.class);
        }
    }

    @Test
    void createUser_shortOrCommonPasswordRefused() {
        assertThat(createUser("short-pw", "ana")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("create-user: the password must be at least 12 characters long\n");
        assertThat(createUser("iloveyou1234", "ana")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("create-user: the password is one of the commonest");
        assertThat(account("ana")).isNull();
    }

    /** A mistyped or incomplete option is a usage error, not a clerk made by default. */
    @Test
    void createUser_unknownOrIncompleteOption_usageAndNoAccount() {
        for (String[] args : new String[][] {
            {"dave", "--rol", "admin"},
            {"dave", "--role"},
            {"dave", "admin"},
            {"--role", "admin"},
            {"dave", "-r", "admin"}
        }) {
            assertThat(createUser("Rubavu-beach-sunset", args))
                    .as(String.join(" ", args))
                    .isEqualTo(2);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("usage: create-user NAME [--role clerk|admin]\n");
        assertThat(account("dave")).isNull();
    }

    @Test
    void createUser_goodPasswordOrGenerated() {
        assertThat(createUser("Rubavu-beach-sunset", "ana", "--role", "admin")).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("created admin 'ana'\n");
        assertThat(Passwords.verify("Rubavu-beach-sunset", account("ana").passwordHash()))
                .isTrue();
        assertThat(account("ana").role()).isEqualTo("admin");

        assertThat(createUser(null, "ben")).isEqualTo(0);
        String printed = out.toString(StandardCharsets.UTF_8).lines().toList().get(1);
        assertThat(printed).startsWith("created clerk 'ben' with password ");
        assertThat(Passwords.verify(
                        printed.substring(printed.lastIndexOf(' ') + 1),
                        account("ben").passwordHash()))
                .isTrue();
    }

    /**
     * An H2 file database that a running server holds cannot be opened by the commands: they say so, and that the
     * server must be stopped first, not that the database stopped uncleanly. The server is another process here, which
     * holds the file open as a server does ({@link HoldDatabase}).
     */
    @Test
    void createUserAndSetPassword_databaseHeldByARunningServer_sayToStopItFirst(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("intake").toAbsolutePath();
        ServerConfig file = ServerConfig.fromEnv(Map.of("DB_URL", url));
        Process holder = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HoldDatabase.class.getName(),
                        url)
                .redirectErrorStream(true)
                .start();
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = lines.readLine();
            } while (line != null && !line.equals(HoldDatabase.OPEN));
            assertThat(line).as("the holder opened the database").isEqualTo(HoldDatabase.OPEN);

            assertThat(Main.createUser(file, List.of("ana"), "Rubavu-beach-sunset", print(out), print(err)))
                    .isEqualTo(1);
            assertThat(Main.setPassword(file, "admin", "Karongi-coffee-hills", print(out), print(err)))
                    .isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .isEqualTo(
                            "create-user: the database is in use by another process (a running server): stop it first\n"
                                    + "set-password: the database is in use by another process (a running server): stop it"
                                    + " first\n")
                    .doesNotContain("unclean");
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        } finally {
            holder.getOutputStream().close(); // the holder closes the database and ends at the end of its input
            assertThat(holder.waitFor(1, TimeUnit.MINUTES)).isTrue();
        }
        // stopped, the database is the commands' again
        assertThat(Main.createUser(file, List.of("ana"), "Rubavu-beach-sunset", print(out), print(err)))
                .isEqualTo(0);
    }

    /** A process that opens the database at {@code args[0]} as the server does, says {@link #OPEN}, and holds it. */
    static final class HoldDatabase {
        static final String OPEN = "database open";

        private HoldDatabase() {}

        public static void main(String[] args) throws IOException {
            Storage storage = ServerConfig.fromEnv(Map.of("DB_URL", args[0])).openStorage();
            try {
                System.out.println(OPEN);
                System.out.flush();
                System.in.transferTo(OutputStream.nullOutputStream()); // held until the test closes our input
            } finally {
                storage.close();
            }
        }
    }

    @Test
    void setPassword_rulesApplyAndUnknownAccountFails() {
        assertThat(createUser("Rubavu-beach-sunset", "ana")).isEqualTo(0);
        assertThat(setPassword("ana", "password")).isEqualTo(1);
        assertThat(setPassword("ana", "qwertyuiop123")).isEqualTo(1);
        assertThat(Passwords.verify("Rubavu-beach-sunset", account("ana").passwordHash()))
                .isTrue();
        assertThat(setPassword("nobody", "Karongi-coffee-hills")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("set-password: no account 'nobody'");

        assertThat(setPassword("ana", "Karongi-coffee-hills")).isEqualTo(0);
        assertThat(Passwords.verify("Karongi-coffee-hills", account("ana").passwordHash()))
                .isTrue();
    }
}
