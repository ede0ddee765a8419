package rw.intake.server;

import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.server.internal.auth.AccountRuleException;
import rw.intake.server.internal.auth.Accounts;
import rw.intake.server.internal.auth.Passwords;
import rw.intake.server.internal.ops.Training;
import rw.intake.storage.Redacted;
import rw.intake.storage.Storage;

/**
 * {@code java -jar intake-server.jar} serves; {@code java -jar intake-server.jar create-user NAME [--role clerk|admin]}
 * adds an account (password from {@code NEW_USER_PASSWORD}, else typed at the prompt, else generated and printed);
 * {@code set-password NAME} replaces one and ends its refresh tokens. A chosen password must pass
 * {@link rw.intake.server.internal.auth.PasswordPolicy}. {@code --train} serves on an in-memory H2 database and a
 * free port, takes itself through a user's workload ({@link Training}) and exits: the package step runs it with
 * {@code -XX:ArchiveClassesAtExit} to build the class-data-sharing archive of the run command.
 * Settings come from environment variables ({@link ServerConfig}).
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) throws IOException {
        ServerConfig config;
        try {
            config = ServerConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException ex) {
            System.err.println("intake cannot start: " + ex.getMessage());
            System.exit(1);
            return;
        }
        List<String> a = Arrays.asList(args);
        if (a.isEmpty()) {
            config.warnings(Runtime.getRuntime().maxMemory()).forEach(LOG::warn);
        }
        try {
            if (!a.isEmpty() && "create-user".equals(a.get(0))) {
                System.exit(createUser(config, a.subList(1, a.size())));
            } else if (a.size() == 2 && "set-password".equals(a.get(0))) {
                System.exit(setPassword(config, a.get(1)));
            }
        } catch (IllegalArgumentException ex) {
            // NEW_USER_PASSWORD not read whole
            System.err.println(a.get(0) + ": " + ex.getMessage());
            System.exit(1);
        }
        if (a.equals(List.of("--train"))) {
            System.exit(train());
        } else if (!a.isEmpty()) {
            System.err.println(
                    "usage: java -jar intake-server.jar [create-user NAME [--role clerk|admin] | set-password NAME"
                            + " | --train]");
            System.exit(2);
        }
        serve(config);
    }

    private static void serve(ServerConfig config) {
        Storage storage;
        try {
            storage = config.openStorage();
        } catch (rw.intake.storage.StorageException ex) {
            System.err.println("intake cannot start: " + ex.getMessage());
            System.exit(1);
            return;
        }
        // from here on a SIGTERM closes the storage, so that embedded H2 is marked stopped cleanly: during the start
        // (migrations done, the admin, the registered-NID filter, Redis, the port) it ends the start, then it stops
        // the server
        Lifecycle life = new Lifecycle();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> life.stop(storage, config.shutdownGrace()), "shutdown"));
        Optional<String> generated;
        try {
            generated = Accounts.ensureAdmin(storage.accounts(), config.adminUsername(), config.adminPassword());
        } catch (AccountRuleException ex) {
            life.failed();
            storage.close();
            System.err.println("cannot create the first admin from ADMIN_USERNAME/ADMIN_PASSWORD: " + ex.getMessage());
            System.exit(1);
            return;
        }
        generated.ifPresent(pw -> System.out.println("""

                ==> First admin account created: username '%s', password '%s'
                    (shown once; set ADMIN_PASSWORD to choose it, or change it with set-password)
                """.formatted(config.adminUsername(), pw)));
        Javalin app;
        try {
            app = ServerApp.create(config, storage).start();
        } catch (RuntimeException ex) {
            // Redis unreachable or its URL malformed, the port taken: the database is closed cleanly first
            life.failed();
            storage.close();
            System.err.println("intake cannot start: " + ex.getMessage());
            System.exit(1);
            return;
        }
        life.started(app);
        LOG.info(
                "intake listening on port {} (database {}, {})",
                app.port(),
                Redacted.url(config.jdbcUrl()),
                storage.dialect());
    }

    /** Where the server is in its life, for the shutdown hook registered before it is up. */
    private static final class Lifecycle {
        private Javalin app;
        private boolean failed;

        synchronized void started(Javalin started) {
            app = started;
        }

        /** The start failed: it closes the storage and exits with its own status. */
        synchronized void failed() {
            failed = true;
        }

        /**
         * On SIGTERM (or SIGINT): before the server is up, the storage closed and the process ended with 0 (a stop
         * during the start is a clean stop); once up, {@link #shutDown}.
         */
        void stop(Storage storage, Duration grace) {
            Javalin up;
            synchronized (this) {
                if (failed) {
                    return;
                }
                up = app;
            }
            if (up != null) {
                shutDown(up, storage, grace);
                return;
            }
            storage.close();
            LOG.info("intake stopped while starting");
            Runtime.getRuntime().halt(0);
        }
    }

    /**
     * On SIGTERM (or SIGINT): no new uploads or commits, running commits finished and answered within the grace
     * period, the server stopped, the pool closed. The JVM would end with status 143 after a signal; a shutdown that
     * finished every commit ends it with 0 instead (halt: nothing is left to run), one that had to give up on a
     * commit (cancelled on embedded H2, rolled back when the pool closes, the storage logs how it ended) keeps the
     * signal's status.
     */
    private static void shutDown(Javalin app, Storage storage, Duration grace) {
        boolean drained = false;
        try {
            drained = ServerApp.shutDown(app, grace, storage::close);
        } finally {
            storage.close();
        }
        LOG.info("intake stopped{}", drained ? "" : " (commits still running after the grace period were cut off)");
        if (drained) {
            Runtime.getRuntime().halt(0);
        }
    }

    /** {@code --train}: the workload of the class-data-sharing archive, on a private server. Returns the exit status. */
    private static int train() {
        String password = Passwords.random();
        ServerConfig config = ServerConfig.with(
                Map.of(),
                Map.of(
                        "PORT",
                        "0",
                        "DB_URL",
                        "jdbc:h2:mem:intake-train-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                        "ADMIN_PASSWORD",
                        password,
                        "JWT_SECRET",
                        UUID.randomUUID() + "-" + UUID.randomUUID()));
        Storage storage = config.openStorage();
        Javalin app = null;
        try {
            Accounts.ensureAdmin(storage.accounts(), config.adminUsername(), password);
            app = ServerApp.create(config, storage).start();
            Training.run(app.port(), config.adminUsername(), password);
            LOG.info("training workload done");
            return 0;
        } catch (IOException | RuntimeException ex) {
            LOG.error("training workload failed", ex);
            return 1;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (app != null) {
                app.stop();
            }
            storage.close();
        }
    }

    private static final String CREATE_USER_USAGE = "usage: create-user NAME [--role clerk|admin]";

    private static int createUser(ServerConfig config, List<String> args) throws IOException {
        if (!createUserArgs(args)) {
            System.err.println(CREATE_USER_USAGE);
            return 2;
        }
        return createUser(config, args, newPassword(), System.out, System.err);
    }

    /** Whether {@code args} are NAME, or NAME --role ROLE: a mistyped or incomplete option is no clerk by default. */
    private static boolean createUserArgs(List<String> args) {
        boolean named = !args.isEmpty() && !args.get(0).startsWith("-");
        return named && (args.size() == 1 || (args.size() == 3 && "--role".equals(args.get(1))));
    }

    /**
     * {@code create-user}: {@code args} are NAME [--role clerk|admin]; {@code typed} the chosen password, or null to
     * generate one (and print it). Returns the exit status.
     */
    static int createUser(ServerConfig config, List<String> args, String typed, PrintStream out, PrintStream err) {
        if (!createUserArgs(args)) {
            err.println(CREATE_USER_USAGE);
            return 2;
        }
        String username = args.get(0);
        String role = args.size() == 3 ? args.get(2) : "clerk";
        String password = typed == null ? Passwords.random() : typed;
        try (Storage storage = config.openStorage()) {
            Accounts.create(storage.accounts(), username, password, role);
        } catch (IllegalArgumentException | rw.intake.storage.StorageException ex) {
            err.println("create-user: " + ex.getMessage());
            return 1;
        }
        out.println("created " + role + " '" + username + "'" + (typed == null ? " with password " + password : ""));
        return 0;
    }

    private static int setPassword(ServerConfig config, String username) throws IOException {
        return setPassword(config, username, newPassword(), System.out, System.err);
    }

    /** {@code set-password}: as {@link #createUser(ServerConfig, List, String, PrintStream, PrintStream)}. */
    static int setPassword(ServerConfig config, String username, String typed, PrintStream out, PrintStream err) {
        String password = typed == null ? Passwords.random() : typed;
        try (Storage storage = config.openStorage()) {
            if (!Accounts.setPassword(storage.accounts(), username, password)) {
                err.println("set-password: no account '" + username + "'");
                return 1;
            }
        } catch (IllegalArgumentException | rw.intake.storage.StorageException ex) {
            err.println("set-password: " + ex.getMessage());
            return 1;
        }
        out.println("password of '" + username + "' changed" + (typed == null ? " to " + password : ""));
        return 0;
    }

    /** {@code NEW_USER_PASSWORD}, else typed at the prompt; null when neither gives one (then one is generated). */
    private static String newPassword() throws IOException {
        String password = ServerConfig.readable("NEW_USER_PASSWORD", System.getenv("NEW_USER_PASSWORD"));
        if (password == null || password.isEmpty()) {
            password = readPassword();
        }
        return password == null || password.isEmpty() ? null : password;
    }

    // the server is built for and run on Java 17, where System.console() is null when there is no terminal
    @SuppressWarnings("SystemConsoleNull")
    private static String readPassword() throws IOException {
        Console console = System.console();
        if (console != null) {
            char[] pw = console.readPassword("password (empty to generate one): ");
            return pw == null ? null : new String(pw);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return in.readLine();
    }
}
