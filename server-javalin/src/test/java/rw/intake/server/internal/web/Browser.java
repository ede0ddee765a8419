package rw.intake.server.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import rw.intake.server.TestServer;

/**
 * Debian's headless Chromium driven through {@code /usr/bin/chromedriver} (nothing is downloaded), pointed at a test
 * server. Start one per test class: the browser takes seconds to start. Without chromedriver the class is skipped
 * with a message, unless {@code INTAKE_REQUIRE_BROWSER} is set (CI), when it fails.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** Where the browser saves the files the page downloads. */
    static final Path DOWNLOADS = Path.of("target", "browser-downloads").toAbsolutePath();
    /** Chrome's console line for an answer that was not 2xx: the test says which statuses it expects. */
    private static final Pattern FAILED_LOAD = Pattern.compile("status of (\\d{3}) ");

    private final ChromeDriver driver;
    /** Whether requests were blocked since the last console check ({@link #block}). */
    private boolean blocking;

    private final WebDriverWait wait;
    private final TestServer server;

    private Browser(ChromeDriver driver, TestServer server) {
        this.driver = driver;
        this.server = server;
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(60));
    }

    /** The browser at 1280x800, or the test class skipped (failed when INTAKE_REQUIRE_BROWSER is set). */
    static Browser start(TestServer server) {
        if (!Files.isExecutable(CHROMEDRIVER)) {
            String why = CHROMEDRIVER + " is missing: install Debian's chromium and chromium-driver packages"
                    + " (apt-get install chromium chromium-driver fonts-dejavu-core) to run the review page's browser tests";
            if (System.getenv("INTAKE_REQUIRE_BROWSER") != null) {
                throw new IllegalStateException("INTAKE_REQUIRE_BROWSER is set but " + why);
            }
            Assumptions.abort(why);
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--window-size=1280,800",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        options.setExperimentalOption(
                "prefs",
                Map.of("download.default_directory", DOWNLOADS.toString(), "download.prompt_for_download", false));
        return new Browser(new ChromeDriver(options), server);
    }

    ChromeDriver driver() {
        return driver;
    }

    WebDriverWait waiting() {
        return wait;
    }

    /** A fresh page at {@code #route}, signed out, at 1280x800, its console emptied. */
    void open(String route) {
        driver.manage().window().setSize(new Dimension(1280, 800));
        driver.get(server.uri("/").toString());
        driver.executeScript("sessionStorage.clear()");
        // loaded anew, signed out: a change of the hash alone would let the page still signed in redirect first
        driver.get("about:blank");
        driver.get(server.uri("/#" + route).toString());
        visible(By.id("login-username"));
        driver.manage().logs().get(LogType.BROWSER);
    }

    void signIn(String username, String password) {
        visible(By.id("login-username")).sendKeys(username);
        driver.findElement(By.id("login-password")).sendKeys(password);
        driver.findElement(By.id("login-submit")).click();
    }

    /** Signs in and waits for the signed-in header. */
    void signedIn(String username, String password) {
        signIn(username, password);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("whoami"), username));
    }

    WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void text(By by, String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Saves the window as target/screenshots/{name}.png. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** As {@link #screenshot}, of the page's first {@code height} pixels at 1280 wide; the window is 1280x800 after. */
    Path screenshotTall(String name, int height) {
        driver.manage().window().setSize(new Dimension(1280, height));
        try {
            return screenshot(name);
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 800));
        }
    }

    /**
     * Asserts the console logged no warning or error since the last call, but the failed loads of the statuses
     * named (a wrong password is a 401 the page expects, and Chrome logs every such answer).
     */
    void assertCleanConsole(int... expectedStatuses) {
        List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
        boolean blocked = blocking;
        blocking = false;
        List<String> bad = entries.stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                .filter(e -> !expected(e.getMessage(), expectedStatuses))
                .filter(e -> !(blocked && e.getMessage().contains("net::ERR_BLOCKED_BY_CLIENT")))
                .map(LogEntry::toString)
                .toList();
        assertThat(bad).as("browser console").isEmpty();
    }

    /**
     * Makes the browser fail the requests whose URL matches {@code pattern} (DevTools' wildcards), as a network that
     * went down would; {@code null} lets them through again. The failures it logs are expected by the next console
     * check.
     */
    void block(String pattern) {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand(
                "Network.setBlockedURLs", Map.of("urls", pattern == null ? List.of() : List.of(pattern)));
        blocking |= pattern != null;
    }

    private static boolean expected(String message, int... statuses) {
        Matcher m = FAILED_LOAD.matcher(message);
        if (!message.contains("Failed to load resource") || !m.find()) {
            return false;
        }
        int status = Integer.parseInt(m.group(1));
        for (int s : statuses) {
            if (s == status) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
