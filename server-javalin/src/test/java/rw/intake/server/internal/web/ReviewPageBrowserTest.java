package rw.intake.server.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import rw.intake.sample.SampleRow;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.TestServer;
import rw.intake.server.internal.auth.Tokens;
import rw.intake.server.internal.upload.Workbooks;

/** The review page in headless Chromium against the real server over HTTP (H2): the clerk's journeys. */
final class ReviewPageBrowserTest {
    private static final int ROWS = 50_000;
    private static final Path FILES = Path.of("target", "browser-files");

    @RegisterExtension
    static final TestServer SERVER = TestServer.perClass();

    private static Browser browser;
    private int[] expectedStatuses = {};

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = Browser.start(SERVER);
        Files.createDirectories(FILES);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void consoleIsClean() {
        browser.assertCleanConsole(expectedStatuses);
    }

    private static String n(long value) {
        return String.format(Locale.US, "%,d", value);
    }

    /** The workbook as a file the browser's file picker can be given (the test's own file, not the server's). */
    private static String file(String name, byte[] bytes) throws IOException {
        Path p = FILES.resolve(name);
        Files.write(p, bytes);
        return p.toAbsolutePath().toString();
    }

    /**
     * Signs {@code clerk} in on the uploads page, uploads the CSV text {@code csv} as {@code fileName} through it, waits
     * for its validation to end with {@code counts}, and opens its review.
     */
    private static void reviewUploaded(String clerk, String fileName, String csv, String counts) throws IOException {
        browser.open("/uploads");
        browser.signedIn(clerk, clerk + "-password");
        browser.visible(By.id("file-input")).sendKeys(file(fileName, csv.getBytes(StandardCharsets.UTF_8)));
        browser.text(By.id("upload-done"), fileName + " is validated: " + counts);
        browser.visible(By.id("open-review")).click();
        browser.visible(By.id("records-table"));
    }

    private static WebElement by(String css) {
        return browser.driver().findElement(By.cssSelector(css));
    }

    @Test
    void upload_aWorkbookOfSeveralLists_offersTheOtherSheets() throws IOException {
        SERVER.clerkToken("grace");
        Map<String, List<String[]>> sheets = new LinkedHashMap<>();
        sheets.put("Kigali", Workbooks.people(8800, 3));
        sheets.put("Notes", List.of(new String[] {"Remarks"}, new String[] {"one list a district"}));
        sheets.put("Huye", Workbooks.people(8803, 2));
        sheets.put("Musanze", Workbooks.people(8805, 1));
        String path = file("districts.xlsx", Workbooks.xlsx(sheets));
        browser.open("/uploads");
        browser.signedIn("grace", "grace-password");

        browser.visible(By.id("file-input")).sendKeys(path);
        browser.text(By.id("upload-done"), "districts.xlsx is validated: 3 records, 3 valid, 0 invalid.");
        assertThat(by("#other-lists p").getText())
                .isEqualTo(
                        "Only the sheet \u201cKigali\u201d was read. This workbook holds lists on other sheets too, not"
                                + " read: \u201cHuye\u201d, \u201cMusanze\u201d.");
        browser.screenshot("other-lists");

        // a button sends the same workbook again, naming the sheet; a sheet read is not offered again
        by("#other-lists button[data-sheet='Huye']").click();
        browser.text(By.id("upload-done"), "districts.xlsx is validated: 2 records, 2 valid, 0 invalid.");
        assertThat(by("#other-lists p").getText())
                .isEqualTo("Read from this workbook so far: \u201cKigali\u201d, \u201cHuye\u201d. Not read yet:"
                        + " \u201cMusanze\u201d.");
        assertThat(browser.driver().findElements(By.cssSelector("#other-lists button")))
                .extracting(b -> b.getAttribute("data-sheet"))
                .containsExactly("Musanze");
        // the uploads list tells the workbook's lists apart by their sheet
        browser.text(By.id("uploads-table"), "districts.xlsx \u00b7 Huye");
        assertThat(by("#uploads-table").getText()).contains("districts.xlsx \u00b7 Kigali");

        // the review of Huye names the workbook's other lists, with the upload of each that there is
        browser.visible(By.id("open-review")).click();
        browser.text(By.id("read-from"), "Read from the sheet \u201cHuye\u201d, header on row 1.");
        browser.text(
                By.cssSelector("#review-other-lists li[data-sheet=Kigali]"), "\u201cKigali\u201d: uploaded: review it");
        assertThat(by("#review-other-lists p").getText())
                .isEqualTo("This workbook holds lists on other sheets too, each read as an upload of its own:");
        assertThat(browser.driver().findElements(By.cssSelector("#review-other-lists li")))
                .extracting(WebElement::getText)
                .containsExactly(
                        "\u201cKigali\u201d: uploaded: review it",
                        "\u201cMusanze\u201d: not read. Choose the workbook again on Uploads to read it.");
        by("#commit-open").click();
        assertThat(browser.visible(By.cssSelector("dialog[open] h2")).getText())
                .isEqualTo("Commit districts.xlsx \u00b7 Huye");
        by("#commit-cancel").click();
        by("#review-other-lists li[data-sheet=Kigali] a").click();
        browser.text(By.id("read-from"), "Read from the sheet \u201cKigali\u201d, header on row 1.");

        // committed, the lists of the workbook are told apart by their sheets in the saved users
        String token = SERVER.clerkToken("grace");
        for (JsonNode u : TestServer.json(SERVER.get("/api/v1/uploads", token))) {
            assertThat(SERVER.postJson("/api/v1/uploads/" + u.get("id").asText() + "/commit", token, "")
                            .statusCode())
                    .isEqualTo(200);
        }
        assertThat(TestServer.json(SERVER.get("/api/v1/commits", token)).get("items"))
                .extracting(c -> c.get("sheet").asText())
                .containsExactlyInAnyOrder("Kigali", "Huye");
        browser.driver().get(SERVER.uri("/#/users").toString());
        browser.visible(By.id("users-table"));
        // the table's box, which scrolls sideways on a phone and holds no control, is a region the keyboard reaches
        WebElement wrap = by("#users-table").findElement(By.xpath(".."));
        assertThat(List.of(wrap.getAttribute("tabindex"), wrap.getAttribute("role"), wrap.getAttribute("aria-label")))
                .containsExactly("0", "region", "Saved users");
        assertThat(browser.driver().findElements(By.cssSelector("#users-upload option")))
                .extracting(WebElement::getText)
                .contains("districts.xlsx \u00b7 Kigali", "districts.xlsx \u00b7 Huye");
    }

    @Test
    void signIn_wrongPassword() {
        expectedStatuses = new int[] {401};
        browser.open("/uploads");
        browser.screenshot("sign-in");
        browser.signIn(TestServer.ADMIN, "not-the-password");
        browser.text(By.id("login-message"), "Wrong username or password.");
        assertThat(by("#login-message [role=alert]").getText()).isEqualTo("Wrong username or password.");
        assertThat(browser.driver().findElements(By.id("whoami"))).isEmpty();
    }

    @Test
    void upload_validateFilterCommit() throws IOException {
        SampleSpec spec = SampleSpec.of(ROWS, 7).withBlankRowRatio(0.01);
        List<SampleRow> truth = SampleWorkbooks.rows(spec).toList();
        long valid = truth.stream()
                .filter(r -> r.expectedCodes().stream().allMatch(Workbooks.WARNINGS::contains))
                .count();
        long warned = truth.stream()
                .filter(r -> r.expectedCodes().stream().anyMatch(Workbooks.WARNINGS::contains))
                .count();
        Map<String, List<SampleRow>> byCode = truth.stream()
                .flatMap(r -> r.expectedCodes().stream().map(c -> Map.entry(c, r)))
                .collect(Collectors.groupingBy(
                        Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        String path = file("people-50000.xlsx", SampleWorkbooks.xlsxBytes(spec));
        SERVER.clerkToken("alice");

        browser.open("/uploads");
        browser.signedIn("alice", "alice-password");
        browser.visible(By.id("file-input")).sendKeys(path);
        browser.visible(By.id("bytes-progress"));
        browser.text(
                By.id("upload-done"),
                "people-50000.xlsx is validated: " + n(ROWS) + " records, " + n(valid) + " valid, " + n(ROWS - valid)
                        + " invalid.");
        assertThat(by("#rows-progress-text").getText())
                .isEqualTo(n(ROWS + SampleWorkbooks.blankRows(spec)) + " rows read");
        assertThat(by("#upload-status").getText()).isEqualTo(by("#upload-done").getText() + "\nReview it");
        browser.screenshot("uploads");
        browser.visible(By.id("open-review")).click();

        browser.visible(By.id("records-table"));
        assertThat(by("#card-records").getText()).isEqualTo(n(ROWS));
        assertThat(by("#card-valid").getText()).isEqualTo(n(valid));
        assertThat(by("#card-invalid").getText()).isEqualTo(n(ROWS - valid));
        assertThat(by("#card-withWarnings").getText()).isEqualTo(n(warned));
        assertThat(by("#card-blankRows").getText()).isEqualTo(n(SampleWorkbooks.blankRows(spec)));
        assertThat(by("#read-from").getText())
                .isEqualTo("Read from the sheet \u201cRegistrations\u201d, header on row 1.");
        assertThat(by("#records-table caption").getText()).isEqualTo("Records 1–50 of " + n(ROWS));
        assertThat(by("main").getText()).doesNotContain("null").doesNotContain("undefined");
        browser.screenshot("review");
        browser.screenshotTall("review-tall", 1700);

        // the chart's bar of nid.format filters the table to it
        List<SampleRow> nidFormat = byCode.get("nid.format");
        WebElement bar = browser.visible(By.id("bar-nid-format"));
        assertThat(bar.getText()).contains("NID is not exactly 16 digits").contains(n(nidFormat.size()));
        bar.click();
        browser.waiting().until(ExpectedConditions.urlContains("code=nid.format"));
        browser.text(By.cssSelector("#records-table caption"), "of " + n(nidFormat.size()));
        assertThat(by("#bar-nid-format").getAttribute("aria-pressed")).isEqualTo("true");
        assertThat(by("#records-table tbody tr[data-row]").getAttribute("data-row"))
                .isEqualTo(String.valueOf(nidFormat.get(0).row()));

        // a failing cell tells its message on keyboard focus
        WebElement cell = by("#row-" + nidFormat.get(0).row() + " td[data-field=nid]");
        assertThat(cell.getAttribute("class")).isEqualTo("cell-error");
        WebElement tip = cell.findElement(By.cssSelector(".tip"));
        assertThat(tip.isDisplayed()).isFalse();
        browser.script("arguments[0].focus()", cell);
        browser.waiting().until(ExpectedConditions.visibilityOf(tip));
        assertThat(tip.getText()).contains("Error: NID is not exactly 16 digits");
        browser.screenshot("review-filtered");
        by("#toggle-" + nidFormat.get(0).row()).click();
        assertThat(browser.visible(By.id("details-" + nidFormat.get(0).row())).getText())
                .contains("nid.format");

        // the last page holds the last nid.format row; back returns to the first page; a page turn redraws only rows
        browser.script("document.getElementById('bar-nid-format').dataset.kept = 'yes'");
        by("#page-last").click();
        int lastPage = (nidFormat.size() + 49) / 50;
        browser.text(By.id("page-pageof"), "Page " + n(lastPage) + " of " + n(lastPage));
        List<WebElement> rows = browser.driver().findElements(By.cssSelector("#records-table tbody tr[data-row]"));
        assertThat(rows.get(rows.size() - 1).getAttribute("data-row"))
                .isEqualTo(String.valueOf(nidFormat.get(nidFormat.size() - 1).row()));
        assertThat(browser.driver().getCurrentUrl()).contains("page=" + lastPage);
        browser.driver().navigate().back();
        browser.text(By.id("page-pageof"), "Page 1 of " + n(lastPage));
        assertThat(by("#bar-nid-format").getAttribute("data-kept"))
                .as("the chart is not redrawn")
                .isEqualTo("yes");

        // commit the valid records only: the dialog says the exact numbers, then the outcome
        browser.visible(By.id("commit-open")).click();
        WebElement dialog = browser.visible(By.cssSelector("dialog[open]"));
        assertThat(dialog.getText())
                .contains(n(ROWS) + " records: " + n(valid) + " valid; the " + n(ROWS - valid)
                        + " invalid ones are saved with their violations.")
                .contains(
                        "Valid only: " + n(valid) + " saved; the " + n(ROWS - valid) + " invalid ones are not saved.");
        assertThat(by("#commit-valid").isSelected()).isTrue();
        browser.screenshot("commit-dialog");
        by("#commit-confirm").click();
        browser.text(
                By.id("commit-outcome"),
                "Committed: " + n(valid) + " saved, " + n(ROWS - valid) + " skipped, 0 conflicts.");
        by("#commit-confirm").sendKeys(Keys.ENTER);
        browser.text(By.id("review-status"), "committed");
        browser.visible(By.cssSelector("#commit-state a")).click();

        browser.text(By.cssSelector("#users-table caption"), "of " + n(valid));
        assertThat(by("#users-table tbody tr").getText()).contains("people-50000.xlsx");
        browser.screenshot("saved-users");
        new org.openqa.selenium.support.ui.Select(by("#users-valid")).selectByValue("false");
        browser.visible(By.id("users-empty"));

        // once the upload is no longer staged, its users keep its name, and the filter offers it
        String alice = SERVER.login("alice", "alice-password");
        String id = TestServer.json(SERVER.get("/api/v1/uploads", alice))
                .get(0)
                .get("id")
                .asText();
        assertThat(SERVER.delete("/api/v1/uploads/" + id, alice).statusCode()).isEqualTo(204);
        browser.driver().get(SERVER.uri("/#/users?uploadId=" + id).toString());
        browser.driver().navigate().refresh();
        browser.text(By.cssSelector("#users-table caption"), "of " + n(valid));
        assertThat(by("#users-table tbody tr").getText()).contains("people-50000.xlsx");
        assertThat(new org.openqa.selenium.support.ui.Select(by("#users-upload"))
                        .getFirstSelectedOption()
                        .getText())
                .isEqualTo("people-50000.xlsx");
    }

    /**
     * A file dropped on another screen than the uploads screen is sent once that screen is drawn, and reports there;
     * a review opened at a page past its last shows the last.
     */
    @Test
    void upload_droppedOnAnotherScreen() {
        String csv = Stream.of(Workbooks.HEADER, Workbooks.person(11), Workbooks.person(12))
                .map(r -> String.join(",", r))
                .collect(Collectors.joining("\r\n", "", "\r\n"));
        SERVER.clerkToken("dropper");
        browser.open("/users");
        browser.signedIn("dropper", "dropper-password");
        browser.visible(By.id("users-empty"));

        browser.script(
                "const dt = new DataTransfer();"
                        + " dt.items.add(new File([arguments[0]], 'dropped.csv', { type: 'text/csv' }));"
                        + " document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
                csv);

        browser.text(By.id("upload-done"), "dropped.csv is validated: 2 records, 2 valid, 0 invalid.");
        assertThat(browser.driver().getCurrentUrl()).endsWith("#/uploads");
        browser.visible(By.cssSelector("#uploads-table tbody tr"));
        assertThat(by("#uploads-table tbody").getText()).contains("dropped.csv");

        browser.visible(By.id("open-review")).click();
        browser.visible(By.id("records-table"));
        browser.driver().get(browser.driver().getCurrentUrl() + "?page=9");
        browser.text(By.id("page-pageof"), "Page 1 of 1");
        browser.visible(By.cssSelector("#records-table tbody tr[data-row='3']"));
        assertThat(browser.driver().getCurrentUrl()).doesNotContain("page=9");
    }

    /** An upload committed from elsewhere while its review is open: an edit says so, and the review shows it. */
    @Test
    void review_committedElsewhere() {
        expectedStatuses = new int[] {409};
        String token = SERVER.clerkToken("hal");
        // NIDs of its own: committed here, they would be registered for the other journeys' lists
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(400, 3)));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.signedIn("hal", "hal-password");
        browser.visible(By.id("records-table"));
        assertThat(SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "")
                        .statusCode())
                .isEqualTo(200);

        by("#row-2 td[data-field=names]").click();
        browser.visible(By.cssSelector("#row-2 td[data-field=names] .cell-input"))
                .sendKeys("Ann Other", Keys.ENTER);

        browser.text(By.id("edit-result"), "This upload was already committed.");
        browser.text(By.id("review-status"), "committed");
        assertThat(browser.driver().findElements(By.id("commit-open"))).isEmpty();
    }

    /**
     * A tab opened as a copy of a signed-in one (its sessionStorage copied with it) asks to sign in and says why, while
     * the first keeps its login, reloaded too: two tabs refreshing with one single-use refresh token would end it in
     * both.
     */
    @Test
    void copiedTab_signsInAnew_theFirstKeepsItsLogin() {
        SERVER.clerkToken("ivy");
        browser.open("/uploads");
        browser.signedIn("ivy", "ivy-password");
        String first = browser.driver().getWindowHandle();

        copyOfTheTab(first, "");

        browser.text(By.id("login-message"), "This tab was opened as a copy of another tab that is signed in.");
        assertThat(browser.driver().findElements(By.id("whoami"))).isEmpty();
        browser.signedIn("ivy", "ivy-password");
        browser.driver().close();
        browser.driver().switchTo().window(first);
        browser.driver().navigate().refresh();
        browser.text(By.id("whoami"), "Signed in as ivy (clerk)");
    }

    /** Runs {@code script} in tab {@code first}, then opens a copy of it (its sessionStorage copied), and switches to it. */
    private static void copyOfTheTab(String first, String script) {
        browser.script(script + " window.open(location.href)");
        String copy = browser.driver().getWindowHandles().stream()
                .filter(w -> !w.equals(first))
                .findFirst()
                .orElseThrow();
        browser.driver().switchTo().window(copy);
    }

    /**
     * A copy of a tab on a review, opened when the access token had lapsed (the computer slept): the review's first
     * requests, sent before the copy is told apart, do not spend the login's refresh token, which the first tab still
     * refreshes with.
     */
    @Test
    void copiedTab_withTheAccessTokenLapsed_leavesTheRefreshTokenToTheFirst() {
        String token = SERVER.clerkToken("ivo");
        String id = reviewed("ivo", token, Workbooks.xlsx(Workbooks.people(3200, 2)));
        String first = browser.driver().getWindowHandle();
        copyOfTheTab(first, expiringIn(-60_000));
        browser.text(By.id("login-message"), "This tab was opened as a copy of another tab that is signed in.");
        browser.driver().close();

        browser.driver().switchTo().window(first);
        browser.driver().navigate().refresh();
        browser.text(By.id("whoami"), "Signed in as ivo (clerk)");
        browser.visible(By.id("records-table"));
        assertThat(browser.driver().getCurrentUrl()).contains("#/uploads/" + id);
        browser.waiting().until(d -> (Boolean) browser.script(
                "return JSON.parse(sessionStorage.getItem('intake.tokens'))" + ".expiresAt > Date.now() + 60 * 1000"));
    }

    /**
     * A page reloaded while its refresh was on the way never reads that answer (here the refresh is sent from outside,
     * as the page sent it, and its answer dropped): the reloaded page sends the same refresh token again, gets a new
     * pair and stays signed in; the dropped answer's refresh token no longer refreshes.
     */
    @Test
    void reloadedWhileItsRefreshWasOnTheWay_staysSignedIn() {
        String id = reviewed("reloader", SERVER.clerkToken("reloader"), Workbooks.xlsx(Workbooks.people(3300, 2)));
        String sent = (String) browser.script("return JSON.parse(sessionStorage.getItem('intake.tokens')).refresh");
        HttpResponse<String> dropped = SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + sent + "\"}");
        assertThat(dropped.statusCode()).as(dropped.body()).isEqualTo(200);

        browser.script(expiringIn(-1_000));
        browser.driver().navigate().refresh();
        browser.waiting()
                .until(d -> (Boolean) browser.script("return JSON.parse(sessionStorage.getItem('intake.tokens'))"
                        + ".expiresAt > Date.now() + 10 * 60 * 1000"));
        browser.text(By.id("whoami"), "Signed in as reloader (clerk)");
        browser.visible(By.id("records-table"));
        assertThat(browser.driver().getCurrentUrl()).contains("#/uploads/" + id);
        String droppedRefresh = TestServer.json(dropped).get("refresh").asText();
        assertThat(SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + droppedRefresh + "\"}")
                        .statusCode())
                .isEqualTo(401);
    }

    /** A clerk signed out on a view (here the password was changed) returns to it on signing in again. */
    @Test
    void signedOutOnAView_returnsToItOnSigningIn() {
        expectedStatuses = new int[] {401};
        String token = SERVER.clerkToken("gus");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(1, 60)));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id + "?size=50");
        browser.signedIn("gus", "gus-password");
        browser.visible(By.id("records-table"));
        String view = "#/uploads/" + id + "?page=2";
        browser.driver().get(SERVER.uri("/" + view).toString());
        browser.text(By.id("page-pageof"), "Page 2 of 2");

        assertThat(SERVER.postJson(
                                "/api/v1/accounts/gus/password",
                                SERVER.adminToken(),
                                "{\"password\":\"gus-second-secret-9\"}")
                        .statusCode())
                .isEqualTo(204);
        by("#page-first").click();
        // the server's reason, not only "ended"
        browser.text(By.id("login-message"), "the password was changed or the account disabled");

        browser.signedIn("gus", "gus-second-secret-9");
        browser.text(By.id("page-pageof"), "Page 1 of 2");
        assertThat(browser.driver().getCurrentUrl()).contains("#/uploads/" + id);
    }

    /**
     * A change typed in a cell when the session ends (here the password was changed, and Enter's save was refused) is
     * not lost: the sign-in form names it, and after signing in it is back in its cell, not saved, until Enter saves
     * it.
     */
    @Test
    void signedOutWhileEditing_theTypedChangeIsBackInItsCellAfterSigningIn() {
        expectedStatuses = new int[] {401};
        String id = reviewed("typist", SERVER.clerkToken("typist"), Workbooks.xlsx(Workbooks.people(3100, 3)));
        by("#row-3 td[data-field=names]").click();
        WebElement input = browser.visible(By.cssSelector("#row-3 td[data-field=names] .cell-input"));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Kagabo Patrick");
        assertThat(SERVER.postJson(
                                "/api/v1/accounts/typist/password",
                                SERVER.adminToken(),
                                "{\"password\":\"typist-second-secret-4\"}")
                        .statusCode())
                .isEqualTo(204);
        input.sendKeys(Keys.ENTER);

        browser.text(By.id("login-unsaved"), "Your change to row 3 (“Kagabo Patrick”) was not saved yet.");
        String records = "/api/v1/uploads/" + id + "/records/3";
        assertThat(TestServer.json(SERVER.get(records, SERVER.adminToken()))
                        .get("names")
                        .asText())
                .isNotEqualTo("Kagabo Patrick");
        browser.signedIn("typist", "typist-second-secret-4");

        browser.text(By.id("edit-restored"), "Your change to row 3 is back in its cell, not saved yet");
        input = browser.visible(By.cssSelector("#row-3 td[data-field=names] .cell-input"));
        assertThat(input.getDomProperty("value")).isEqualTo("Kagabo Patrick");
        input.sendKeys(Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 3 saved");
        assertThat(TestServer.json(SERVER.get(records, SERVER.adminToken()))
                        .get("names")
                        .asText())
                .isEqualTo("Kagabo Patrick");
    }

    /**
     * With staging in Redis, an upload that lost part of its records there (evicted, deleted by hand) is not "out of
     * reach just now" on the review page of the instance without a copy: the page says to upload the file again.
     */
    @Test
    void review_anUploadThatLostRecordsInRedis_saysToUploadItAgain() {
        String prefix = TestServer.freshRedisPrefix();
        Map<String, String> env = Map.of(
                "STAGING",
                "redis",
                "REDIS_URL",
                TestServer.REDIS_URL,
                "STAGING_REDIS_PREFIX",
                prefix,
                "DB_URL",
                SERVER.config().jdbcUrl());
        try (TestServer a = TestServer.start(env);
                TestServer b = TestServer.start(env)) {
            String token = a.clerkToken("lost");
            String id = Workbooks.accepted(a, token, Workbooks.xlsx(Workbooks.people(3300, 2_100)));
            Workbooks.settled(a, token, id);
            io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(TestServer.REDIS_URL);
            try (var c = client.connect()) {
                assertThat(c.sync().del("{" + prefix + ":" + id + "}:c:1")).isEqualTo(1);
            } finally {
                client.shutdown();
            }
            Browser onB = Browser.start(b);
            try {
                onB.open("/uploads/" + id + "?page=25&size=50");
                onB.signedIn("lost", "lost-password");
                onB.text(
                        By.id("main"),
                        "This upload lost part of its records in the store of staged uploads, so it cannot be shown"
                                + " whole, fixed or committed. Upload the file again.");
                assertThat(onB.driver().findElement(By.id("main")).getText()).doesNotContain("Try again in");
            } finally {
                onB.close();
            }
        }
    }

    /**
     * A page that failed to load (the network down) is loaded by Next once the network is back, though the address
     * already names it; on the last page, Next is disabled and the focus goes to Previous, not to the top.
     */
    @Test
    void pager_nextAfterAFailedPage_focusOnTheLastPage() {
        String token = SERVER.clerkToken("pat");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(2_000, 120)));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id + "?size=50");
        browser.signedIn("pat", "pat-password");
        browser.text(By.id("page-pageof"), "Page 1 of 3");

        browser.block("*/records?*");
        try {
            by("#page-next").click();
            browser.text(By.id("main"), "The server could not be reached");
        } finally {
            browser.block(null);
        }
        by("#page-next").click();
        browser.text(By.id("page-pageof"), "Page 2 of 3");
        // the pager is drawn anew, which a screen reader does not read: the page is told
        said("Page 2 of 3. Records 51\u2013100 of 120");

        browser.script("document.getElementById('page-next').focus()");
        by("#page-next").sendKeys(Keys.ENTER);
        browser.text(By.id("page-pageof"), "Page 3 of 3");
        browser.waiting().until(d -> "page-prev".equals(browser.script("return document.activeElement.id")));
    }

    @Test
    void csvUpload_editLeaveOutReportCommit() throws IOException {
        String[] r3 = Workbooks.person(2);
        r3[1] = "123";
        String[] r5 = Workbooks.person(4);
        r5[1] = Workbooks.person(3)[1];
        String[] r6 = Workbooks.person(5);
        r6[1] = "12";
        String csv = Stream.of(
                        Workbooks.HEADER, Workbooks.person(1), r3, Workbooks.person(3), r5, r6, Workbooks.person(6))
                .map(r -> String.join(",", r))
                .collect(Collectors.joining("\r\n", "", "\r\n"));
        SERVER.clerkToken("csv-clerk");
        reviewUploaded("csv-clerk", "fix.csv", csv, "6 records, 3 valid, 3 invalid.");
        assertThat(by("#card-excluded").getText()).isEqualTo("0");
        assertThat(by("#read-from").getText()).isEqualTo("Header on row 1.");

        // Escape cancels an edit; Enter saves it
        WebElement names = by("#row-2 td[data-field=names]");
        browser.script("arguments[0].focus()", names);
        names.sendKeys(Keys.ENTER);
        WebElement input = browser.visible(By.cssSelector("#row-2 td[data-field=names] .cell-input"));
        assertThat(input.getAttribute("aria-label")).isEqualTo("Names of row 2: Enter saves, Escape cancels");
        input.sendKeys("X", Keys.ESCAPE);
        assertThat(by("#row-2 td[data-field=names]").getText()).isEqualTo("Person Number");
        // a click opens the field with its text selected, so typing replaces it
        by("#row-3 td[data-field=nid]").click();
        WebElement nid = browser.visible(By.cssSelector("#row-3 td[data-field=nid] .cell-input"));
        nid.sendKeys(Workbooks.person(2)[1], Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 3 saved: now Valid.");
        browser.text(By.id("card-valid"), "4");
        assertThat(browser.script(
                        "const a = document.activeElement;" + " return a.closest('tr').id + ' ' + a.dataset.field"))
                .as("the edited cell keeps the focus")
                .isEqualTo("row-3 nid");
        assertThat(by("#row-3 td[data-field=nid]").getText()).isEqualTo(Workbooks.person(2)[1]);

        // the edit's history is in the row's details line
        by("#toggle-3").click();
        browser.text(By.id("history-3"), "csv-clerk changed NID from “123” to “" + Workbooks.person(2)[1] + "”.");

        // a new NID on the first of two duplicates makes the second valid too
        by("#row-4 td[data-field=nid]").click();
        WebElement first = browser.visible(By.cssSelector("#row-4 td[data-field=nid] .cell-input"));
        first.sendKeys("1199080000009999", Keys.ENTER);
        browser.text(By.id("edit-changed"), "Violations changed on: row 5 (Valid)");
        browser.text(By.id("card-valid"), "5");
        assertThat(by("#card-invalid").getText()).isEqualTo("1");

        // leave a row out, then every row of a code, from its chart bar
        by("#exclude-7").click();
        browser.text(By.id("edit-saved"), "Row 7 is left out of the commit, and of the duplicate checks.");
        browser.text(By.id("card-excluded"), "1");
        // the cards are drawn before the page of records, which is read afresh
        browser.visible(By.cssSelector("#row-7.excluded"));
        assertThat(by("#row-7").getAttribute("class")).isEqualTo("excluded");
        assertThat(by("#exclude-7").getText()).isEqualTo("Put back");
        browser.visible(By.id("bar-nid-format")).click();
        browser.visible(By.id("exclude-code")).click();
        assertThat(browser.visible(By.cssSelector("dialog[open]")).getText())
                .contains("(nid.format), each one not left out yet will be left out");
        by("#exclude-confirm").click();
        browser.text(By.id("edit-saved"), "1 record with “NID is not exactly 16 digits” (nid.format) is left out.");
        browser.text(By.id("card-excluded"), "2");
        browser.visible(By.cssSelector("#row-6.excluded"));
        browser.screenshot("review-fixing");

        // the records left out have a filter of their own
        by("#filter-clear").click();
        browser.text(By.cssSelector("#records-table caption"), "Records 1–6 of 6");
        new org.openqa.selenium.support.ui.Select(by("#filter-status")).selectByValue("excluded");
        browser.text(By.cssSelector("#records-table caption"), "Records 1–2 of 2");
        assertThat(browser.driver().findElements(By.cssSelector("#records-table tbody tr[data-row]")))
                .extracting(r -> r.getAttribute("data-row"))
                .containsExactly("6", "7");
        assertThat(browser.driver().getCurrentUrl()).contains("status=excluded");

        // the report of all records, fetched with the token and saved by the browser: the records left out are not
        // in it (row 6, whose NID is 12, and row 7)
        Path report = Browser.DOWNLOADS.resolve("fix-all.csv");
        Files.deleteIfExists(report);
        new org.openqa.selenium.support.ui.Select(by("#report-status")).selectByValue("all");
        by("#report-csv").click();
        browser.waiting().until(d -> Files.exists(report));
        browser.waiting().until(d -> read(report).split("\r\n").length == 5);
        assertThat(read(report))
                .startsWith("\uFEFFNames,NID,Phone Number,Gender,Email,Row,Errors,Warnings\r\n")
                .contains(",5,")
                .doesNotContain(",12,")
                .doesNotContain(",7,");

        // the commit counts the left-out records as skipped: one of the two is valid, the other the one invalid
        by("#commit-open").click();
        assertThat(browser.visible(By.cssSelector("dialog[open]")).getText())
                .contains("4 of 6 records saved; the 2 left out are not saved and count as skipped.");
        assertThat(by("#commit-valid-explain").getText())
                .isEqualTo("Valid only: 4 saved; 2 skipped: the 1 invalid one and the 1 valid one left out.");
        by("#commit-confirm").click();
        browser.text(By.id("commit-outcome"), "Committed: 4 saved, 2 skipped, 0 conflicts.");
    }

    /** The uploads page's counts agree with their numbers: one record, two records. */
    @Test
    void upload_countsInTheSingularAndThePlural() throws IOException {
        SERVER.clerkToken("counting");
        String one = String.join(",", Workbooks.HEADER) + "\r\n" + String.join(",", Workbooks.person(1950)) + "\r\n";
        reviewUploaded("counting", "one.csv", one, "1 record, 1 valid, 0 invalid.");
        String two = one + String.join(",", Workbooks.person(1951)) + "\r\n";
        reviewUploaded("counting", "two.csv", two, "2 records, 2 valid, 0 invalid.");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException ex) {
            return "";
        }
    }

    @Test
    void upload_badWorkbookShowsItsProblem() throws IOException {
        expectedStatuses = new int[] {400};
        byte[] bad = Workbooks.xlsx(
                List.of(new String[] {"Full Name", "Sex", "Notes"}, new String[] {"Ann Uwase", "F", "new"}));
        SERVER.clerkToken("bob");
        browser.open("/uploads");
        browser.signedIn("bob", "bob-password");
        browser.visible(By.id("file-input")).sendKeys(file("missing.xlsx", bad));
        WebElement problem = browser.visible(By.cssSelector("#upload-status .problem"));
        assertThat(problem.getText())
                .contains("The sheet “Sheet1” has no column for: NID, Phone number, Email.")
                .contains("Headers found in row 1: Full Name, Sex, Notes.")
                .contains("NID: nid, national id, national id number, id number")
                .contains("Phone number: phone number, phone, phone no, tel, mobile, mobile number, telephone, msisdn")
                .contains("Email: email, e-mail, email address")
                .doesNotContain("Gender:");
        browser.screenshot("upload-rejected");

        // a CSV file is read as one sheet, which the clerk never saw: the file lacks the column
        browser.visible(By.id("file-input"))
                .sendKeys(file(
                        "missing.csv",
                        "Names,NID,Phone,Email\nAnn Uwase,1199870012345678,0788123456,a@b.rw\n"
                                .getBytes(StandardCharsets.UTF_8)));
        browser.text(By.cssSelector("#upload-status .problem"), "The file has no column for: Gender.");
    }

    @Test
    void uploads_clerkDoesNotSeeAnotherClerks() {
        expectedStatuses = new int[] {404};
        String id = Workbooks.accepted(SERVER, SERVER.clerkToken("dora"), Workbooks.xlsx(Workbooks.people(1, 3)));
        Workbooks.settled(SERVER, SERVER.clerkToken("dora"), id);
        Workbooks.accepted(SERVER, SERVER.clerkToken("eve"), Workbooks.xlsx(Workbooks.people(100, 2)));
        browser.open("/uploads");
        browser.signedIn("eve", "eve-password");
        browser.visible(By.id("uploads-table"));
        assertThat(browser.driver().findElements(By.cssSelector("#uploads-table tbody tr")))
                .hasSize(1);
        assertThat(browser.driver().findElements(By.cssSelector("tr[data-id='" + id + "']")))
                .isEmpty();
        browser.driver().get(SERVER.uri("/#/uploads/" + id).toString());
        browser.text(
                By.cssSelector("main .problem"),
                "This upload is not there: it was discarded, it expired, or it is another user's.");
        // a heading, which takes the focus, and the way back
        browser.text(By.cssSelector("main h1"), "Not available");
        assertThat(browser.driver().switchTo().activeElement().getTagName()).isEqualTo("h1");
        assertThat(by("#problem-back").getAttribute("href")).endsWith("#/uploads");
    }

    /**
     * Create shows that it is working until the server answers (a refused password takes a second or so at first), and
     * a second press meanwhile sends nothing. The page's requests to create an account are held in the browser until
     * the test lets them go.
     */
    @Test
    void accounts_createShowsItIsWorking() {
        browser.open("/accounts");
        browser.signedIn(TestServer.ADMIN, TestServer.ADMIN_PASSWORD);
        browser.visible(By.id("accounts-table"));
        browser.script("window.held = []; const send = window.fetch;"
                + " window.fetch = (path, init) => path === '/api/v1/accounts' && init?.method === 'POST'"
                + " ? new Promise((go) => window.held.push(() => go(send(path, init)))) : send(path, init);");
        browser.visible(By.id("new-username")).sendKeys("held-clerk");
        by("#new-password").sendKeys("held-clerk-first-secret");

        by("#create-account").click();
        browser.waiting().until(d -> Long.valueOf(1).equals(browser.script("return window.held.length")));
        WebElement create = by("#create-account");
        assertThat(create.getText()).isEqualTo("Creating\u2026");
        assertThat(create.getAttribute("aria-disabled")).isEqualTo("true");
        by("#new-password").sendKeys(Keys.ENTER);
        create.click();
        assertThat(browser.script("return window.held.length")).isEqualTo(1L);

        browser.script("window.held.forEach((go) => go())");
        browser.text(By.id("accounts-message"), "Account held-clerk created.");
        assertThat(by("#create-account").getText()).isEqualTo("Create");
        assertThat(by("#create-account").getAttribute("aria-disabled")).isNull();
    }

    @Test
    void accounts_adminCreatesClerkWhoSignsIn() {
        browser.open("/accounts");
        browser.signedIn(TestServer.ADMIN, TestServer.ADMIN_PASSWORD);
        browser.visible(By.id("accounts-table"));
        browser.visible(By.id("new-username")).sendKeys("carol");
        by("#new-password").sendKeys("carol-first-secret");
        // the name typed over while the request is answered: the message names the account made
        browser.script("document.getElementById('create-account').click();"
                + " document.getElementById('new-username').value = 'someone.else';");
        browser.text(By.id("accounts-message"), "Account carol created.");
        assertThat(browser.driver().findElements(By.cssSelector("tr[data-username='someone.else']")))
                .isEmpty();
        assertThat(by("tr[data-username=carol]").getText()).contains("clerk").contains("active");

        by("tr[data-username=carol] button[data-action=disable]").click();
        browser.text(By.cssSelector("tr[data-username=carol]"), "disabled");
        by("tr[data-username=carol] button[data-action=disable]").click();
        browser.text(By.cssSelector("tr[data-username=carol]"), "active");

        by("tr[data-username=carol] button[data-action=reset]").click();
        browser.visible(By.id("reset-password")).sendKeys("carol-second-secret", Keys.ENTER);
        browser.text(By.id("accounts-message"), "The password of carol was changed; its sessions end.");
        browser.screenshot("accounts");

        by("#sign-out").click();
        browser.signedIn("carol", "carol-second-secret");
        assertThat(by("#whoami").getText()).isEqualTo("Signed in as carol (clerk)");
        assertThat(browser.driver().findElements(By.cssSelector("a[href='#/accounts']")))
                .isEmpty();
    }

    /** Sign out ends the login on the server too: its refresh token no longer refreshes. */
    @Test
    void signOut_revokesTheLoginsRefreshToken() {
        SERVER.clerkToken("leaver");
        browser.open("/uploads");
        browser.signedIn("leaver", "leaver-password");
        String refresh = (String) browser.script("return JSON.parse(sessionStorage.getItem('intake.tokens')).refresh");

        by("#sign-out").click();

        browser.visible(By.id("login-username"));
        browser.waiting()
                .until(d -> Long.valueOf(204)
                        .equals(browser.script("const e = performance.getEntriesByName(location.origin"
                                + " + '/api/v1/token/revoke'); return e.length ? e[0].responseStatus : null")));
        HttpResponse<String> refreshed =
                SERVER.postJson("/api/v1/token/refresh", null, "{\"refresh\":\"" + refresh + "\"}");
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(401);
        assertThat(TestServer.json(refreshed).get("code").asText()).isEqualTo("auth.token_revoked");
    }

    @Test
    void session_refreshedBeforeExpiry() {
        SERVER.clerkToken("fay");
        browser.open("/uploads");
        browser.signedIn("fay", "fay-password");
        // the access token is said to expire in 1.5 s: the page must fetch a new one before then, on its own
        browser.script("const k = 'intake.tokens'; const v = JSON.parse(sessionStorage.getItem(k));"
                + " v.expiresAt = Date.now() + 1500; sessionStorage.setItem(k, JSON.stringify(v));");
        browser.driver().navigate().refresh();
        browser.waiting()
                .until(d -> (Boolean) browser.script("return JSON.parse(sessionStorage.getItem('intake.tokens'))"
                        + ".expiresAt > Date.now() + 10 * 60 * 1000"));
        browser.visible(By.id("uploads-list"));
        assertThat(by("#whoami").getText()).isEqualTo("Signed in as fay (clerk)");
    }

    /**
     * A refresh that cannot reach the server is tried again a few seconds later, the clerk still signed in; one the
     * server refuses signs out.
     */
    @Test
    void refresh_aNetworkFailureIsTriedAgain_aRefusalSignsOut() {
        expectedStatuses = new int[] {401};
        SERVER.clerkToken("blip");
        browser.open("/uploads");
        browser.signedIn("blip", "blip-password");
        // counts the refreshes that failed to reach the server, from before the page's scripts run
        String counter = (String) browser.driver()
                .executeCdpCommand(
                        "Page.addScriptToEvaluateOnNewDocument",
                        Map.of(
                                "source",
                                "window.refreshesFailed = 0; const f = window.fetch; window.fetch = (...a) => {"
                                        + " const p = f(...a); if (String(a[0]).endsWith('/token/refresh'))"
                                        + " p.catch(() => { window.refreshesFailed++; }); return p; };"))
                .get("identifier");
        try {
            browser.script(expiringIn(7_000));
            browser.block("*/token/refresh");
            browser.driver().navigate().refresh();
            browser.waiting().until(d -> ((Number) browser.script("return window.refreshesFailed")).intValue() >= 1);
            assertThat(browser.script("return sessionStorage.getItem('intake.tokens')"))
                    .as("still signed in")
                    .isNotNull();
            browser.block(null);
            browser.waiting()
                    .until(d -> (Boolean) browser.script("return JSON.parse(sessionStorage.getItem('intake.tokens'))"
                            + ".expiresAt > Date.now() + 10 * 60 * 1000"));
            assertThat(by("#whoami").getText()).isEqualTo("Signed in as blip (clerk)");
        } finally {
            browser.block(null);
            browser.driver()
                    .executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", counter));
        }

        browser.script(expiringIn(1_500) + " v.refresh = 'not-a-token'; sessionStorage.setItem(k, JSON.stringify(v));");
        browser.driver().navigate().refresh();
        browser.text(By.id("login-message"), "Your session ended. Please sign in again.");
    }

    /** The upload of {@code workbook} by the clerk of {@code token}, validated and committed; its id. */
    private static String committed(String token, byte[] workbook) {
        String id = Workbooks.accepted(SERVER, token, workbook);
        Workbooks.settled(SERVER, token, id);
        HttpResponse<String> commit = SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "");
        assertThat(commit.statusCode()).as(commit.body()).isEqualTo(200);
        return id;
    }

    /** A script that makes the page's stored access token expire {@code millis} from now. */
    private static String expiringIn(long millis) {
        return "const k = 'intake.tokens'; const v = JSON.parse(sessionStorage.getItem(k)); v.expiresAt = Date.now() + "
                + millis + "; sessionStorage.setItem(k, JSON.stringify(v));";
    }

    /** The access token {@code access} signed again to expire at {@code expiresAt}. */
    private static String expiringAt(String access, Instant expiresAt) {
        DecodedJWT token = JWT.decode(access);
        JWTCreator.Builder again = JWT.create()
                .withIssuer(Tokens.ISSUER)
                .withSubject(token.getSubject())
                .withClaim("role", token.getClaim("role").asString())
                .withClaim("typ", "access")
                .withIssuedAt(Instant.now())
                .withExpiresAt(expiresAt)
                .withJWTId(UUID.randomUUID().toString());
        if (!token.getClaim("cst").isMissing()) {
            again.withClaim("cst", token.getClaim("cst").asString());
        }
        return again.sign(Algorithm.HMAC256(TestServer.JWT_SECRET));
    }

    /**
     * After the computer slept longer than the access token lives (the page's timers stood still), a download renews
     * the token first, as any call does.
     */
    @Test
    void download_afterASleepPastTheTokensLife_renewsTheTokenFirst() throws IOException {
        String token = SERVER.clerkToken("sleeper");
        reviewed("sleeper", token, Workbooks.xlsx(List.of(Workbooks.HEADER, person(1800, 2, "12"))));
        // the page believes its access token good for a quarter of an hour; the server takes it for 3 seconds
        String access = (String) browser.script("return JSON.parse(sessionStorage.getItem('intake.tokens')).access");
        String soon = expiringAt(access, Instant.now().plusSeconds(3));
        browser.script(
                "const k = 'intake.tokens'; const v = JSON.parse(sessionStorage.getItem(k)); v.access = arguments[0];"
                        + " sessionStorage.setItem(k, JSON.stringify(v));",
                soon);
        browser.driver().navigate().refresh();
        browser.visible(By.id("records-table"));
        browser.waiting().until(d -> SERVER.get("/api/v1/uploads", soon).statusCode() == 401);
        // the sleep: the page's clock moved on 20 minutes, its timers did not fire
        browser.script("const now = Date.now; Date.now = () => now.call(Date) + 20 * 60 * 1000;");

        Path report = Browser.DOWNLOADS.resolve("people-errors.csv");
        Files.deleteIfExists(report);
        by("#report-csv").click();
        browser.waiting().until(d -> read(report).contains("Row,Errors"));
        assertThat(by("#whoami").getText()).isEqualTo("Signed in as sleeper (clerk)");
    }

    /** A report downloaded from the page keeps the upload's name, letters other than ASCII included. */
    @Test
    void download_keepsANameOfLettersOtherThanAscii() throws IOException {
        String token = SERVER.clerkToken("accents");
        HttpResponse<String> sent = SERVER.send(SERVER.request(
                        "/api/v1/uploads?fileName=" + URLEncoder.encode("Février.xlsx", StandardCharsets.UTF_8), token)
                .header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        Workbooks.xlsx(List.of(Workbooks.HEADER, person(1810, 2, "12")))))
                .build());
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        String id = TestServer.json(sent).get("id").asText();
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.signedIn("accents", "accents-password");
        browser.visible(By.id("records-table"));

        Path report = Browser.DOWNLOADS.resolve("Février-errors.csv");
        Files.deleteIfExists(report);
        by("#report-csv").click();
        browser.waiting().until(d -> read(report).contains("Row,Errors"));
    }

    /** A NID that looks like 16 digits and is refused shows the invisible character it carries, as its code point. */
    @Test
    void review_invisibleCharacterShown() {
        String token = SERVER.clerkToken("ivy");
        String[] hidden = Workbooks.person(7);
        hidden[1] = hidden[1] + "\u200b";
        String id = Workbooks.accepted(
                SERVER, token, Workbooks.xlsx(List.of(Workbooks.HEADER, Workbooks.person(6), hidden)));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.signedIn("ivy", "ivy-password");

        WebElement nid = browser.visible(By.cssSelector("#records-table tr[data-row='3'] td[data-field=nid]"));
        WebElement mark = nid.findElement(By.cssSelector("mark.invisible"));
        assertThat(mark.getText()).isEqualTo("U+200B");
        assertThat(mark.getAttribute("title")).contains("invisible character (U+200B)");
        assertThat(nid.findElement(By.cssSelector(".cell-value")).getText())
                .isEqualTo(hidden[1].replace("\u200b", "") + "U+200B");
        assertThat(nid.findElement(By.cssSelector(".tip")).getAttribute("textContent"))
                .contains("NID is not exactly 16 digits");
        // the message names the character by its code, not as an empty pair of quotes
        assertThat(nid.findElement(By.cssSelector(".tip")).getAttribute("textContent"))
                .contains("found U+200B");
        assertThat(browser.visible(By.cssSelector("#records-table tr[data-row='2'] td[data-field=nid]"))
                        .findElements(By.cssSelector("mark")))
                .isEmpty();

        // an edit that adds one: its history quotes the character, so that the two values do not look the same
        String nid2 = Workbooks.person(6)[1];
        assertThat(SERVER.patchJson("/api/v1/uploads/" + id + "/records/2", token, "{\"nid\":\"" + nid2 + "\\u200b\"}")
                        .statusCode())
                .isEqualTo(200);
        browser.driver().navigate().refresh();
        browser.visible(By.cssSelector("#records-table tr[data-row='2'] td[data-field=nid] mark.invisible"));
        by("#toggle-2").click();
        browser.text(By.id("history-2"), "changed NID from “" + nid2 + "” to “" + nid2 + "U+200B”.");

        // and the saved users show it as the review did
        assertThat(SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"all\"}")
                        .statusCode())
                .isEqualTo(200);
        browser.open("/users?uploadId=" + id);
        browser.signedIn("ivy", "ivy-password");
        browser.text(By.cssSelector("#users-table caption"), "of 2");
        for (WebElement saved : browser.driver().findElements(By.cssSelector("#users-table td[data-field=nid]"))) {
            assertThat(saved.findElement(By.cssSelector("mark.invisible")).getText())
                    .isEqualTo("U+200B");
        }
    }

    /**
     * A dialog asks about the upload it was opened on: the browser's Back, which shows another upload behind it, closes
     * it, so that its Commit or Discard cannot act on the upload shown now.
     */
    @Test
    void dialog_closedByBack_actsOnNoOtherUpload() {
        TwoUploads two = twoOpened("back", 800, 810);
        String token = two.token();
        String first = two.first();
        String second = two.second();
        browser.text(By.id("card-valid"), "3");
        browser.script("location.hash = arguments[0]", "#/uploads/" + second);
        browser.text(By.id("card-valid"), "2");

        for (String opener : List.of("#commit-open", "#discard-open")) {
            by(opener).click();
            browser.visible(By.cssSelector("dialog[open]"));
            browser.driver().navigate().back();
            browser.text(By.id("card-valid"), "3");
            assertThat(browser.driver().findElements(By.cssSelector("dialog[open]")))
                    .as(opener)
                    .isEmpty();
            browser.driver().navigate().forward();
            browser.text(By.id("card-valid"), "2");
        }
        for (String id : List.of(first, second)) {
            assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id, token))
                            .get("status")
                            .asText())
                    .isEqualTo("validated");
        }
    }

    /**
     * On a phone: no sideways scrolling of the page, even with a long file name without spaces (in the heading and
     * the commit dialog), the tip of a cell the keyboard focuses is scrolled into the table's view, and the row numbers
     * stay in view when the records scroll sideways.
     */
    @Test
    void review_readableOnAPhone() {
        String token = SERVER.clerkToken("phone");
        byte[] book = Workbooks.xlsx(
                List.of(Workbooks.HEADER, Workbooks.person(1), new String[] {"X", "123", "0788000000", "M", "a@b"}));
        HttpResponse<String> sent = SERVER.postMultipart(
                "/api/v1/uploads", token, "file", "Registrations_Gasabo_District_2026_final_version.xlsx", book);
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        String id = TestServer.json(sent).get("id").asText();
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.driver().manage().window().setSize(new Dimension(390, 844));
        browser.signedIn("phone", "phone-password");
        browser.visible(By.id("records-table"));
        assertNoSidewaysScrolling("review");
        browser.screenshot("review-phone");

        // the keyboard's focus from the row's gender to its e-mail, the last column: its tip is in the table's view
        browser.script("arguments[0].focus()", by("#records-table tr[data-row='3'] td[data-field=gender]"));
        browser.driver().switchTo().activeElement().sendKeys(Keys.TAB);
        WebElement email = by("#records-table tr[data-row='3'] td[data-field=email]");
        assertThat(browser.script("return document.activeElement === arguments[0]", email))
                .isEqualTo(true);
        browser.waiting().until(d -> (Boolean) browser.script(
                "const t = arguments[0].querySelector('.tip').getBoundingClientRect();"
                        + " const w = document.getElementById('records').getBoundingClientRect();"
                        + " return t.left >= w.left - 1 && t.right <= w.right + 1;",
                email));

        // the records scrolled sideways to their end: each row's number stays at the table's left edge
        browser.script("document.getElementById('records').scrollLeft = 100000");
        assertThat((Boolean) browser.script("const w = document.getElementById('records');"
                        + " const c = w.querySelector(\"tr[data-row='3'] th\").getBoundingClientRect();"
                        + " const r = w.getBoundingClientRect();"
                        + " return w.scrollLeft > 0 && c.left >= r.left - 1 && c.left <= r.left + 2;"))
                .as("the row number in view")
                .isTrue();

        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));
        assertThat((Boolean) browser.script(
                        "const d = document.querySelector('dialog[open]'); return d.scrollWidth <= d.clientWidth;"))
                .as("the commit dialog has no sideways scrolling")
                .isTrue();
        browser.driver().switchTo().activeElement().sendKeys(Keys.ESCAPE);
    }

    /**
     * Signs {@code clerk} in on the review of three valid people numbered from {@code from} and {@code bad} people
     * whose NID is badly formed (rows 5 on), listing the records of nid.format; answers the upload's id.
     */
    private static String reviewBadNids(String clerk, int from, int bad) {
        return reviewBad(clerk, from, bad, 1, "nid.format");
    }

    /**
     * {@link #reviewBadNids}, with the value of column {@code column} of the bad records made {@code 123} and their
     * row, listed by {@code code}.
     */
    private static String reviewBad(String clerk, int from, int bad, int column, String code) {
        String token = SERVER.clerkToken(clerk);
        List<String[]> rows = new ArrayList<>(Workbooks.people(from, 3 + bad));
        for (int i = 4; i < rows.size(); i++) {
            rows.get(i)[column] = "123" + i;
        }
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id + "?code=" + code);
        browser.signedIn(clerk, clerk + "-password");
        browser.visible(By.cssSelector("#row-5"));
        return id;
    }

    /** Leave out all of a code: the dialog says how many records of the list it leaves out. */
    @Test
    void review_leaveOutAllCountsTheRecords() {
        String id = reviewBadNids("counter", 1900, 3);
        long listed = TestServer.json(
                        SERVER.get("/api/v1/uploads/" + id + "/records?code=nid.format", SERVER.clerkToken("counter")))
                .get("totalItems")
                .asLong();
        assertThat(listed).isEqualTo(3);

        browser.visible(By.id("exclude-code")).click();
        assertThat(browser.visible(By.cssSelector("dialog[open] form p")).getText())
                .startsWith("Of the " + listed + " records shown with “");
        by("#exclude-confirm").click();
        browser.text(
                By.id("edit-saved"),
                listed + " records with “NID is not exactly 16 digits” (nid.format) are left out.");
        browser.text(By.id("card-excluded"), String.valueOf(listed));

        // the list it emptied offers no button to put them back: the message offers to undo, and has the focus
        browser.waiting().until(d -> "exclude-undo".equals(browser.script("return document.activeElement.id")));
        by("#exclude-undo").sendKeys(Keys.ENTER);
        browser.text(
                By.id("edit-saved"),
                listed + " records with “NID is not exactly 16 digits” (nid.format) are back in the commit.");
        browser.text(By.id("card-excluded"), "0");
        assertThat(browser.driver().findElements(By.id("exclude-undo"))).isEmpty();
        // the list shows its records again: the keyboard goes on from its Leave out all
        browser.waiting().until(d -> "exclude-code".equals(browser.script("return document.activeElement.id")));
    }

    /** The Undo of a Leave out all puts back what it left out: a record of the list left out before it stays out. */
    @Test
    void review_undoOfLeaveOutAll_keepsOutARecordLeftOutBefore() {
        String id = reviewBadNids("undoer", 2700, 3);
        by("#exclude-5").click();
        browser.text(By.id("edit-saved"), "Row 5 is left out");

        browser.visible(By.id("exclude-code")).click();
        by("#exclude-confirm").click();
        browser.text(By.id("edit-saved"), "2 records with “NID is not exactly 16 digits” (nid.format) are left out.");
        browser.text(By.id("card-excluded"), "3");
        browser.waiting().until(d -> "exclude-undo".equals(browser.script("return document.activeElement.id")));
        by("#exclude-undo").sendKeys(Keys.ENTER);

        browser.text(
                By.id("edit-saved"),
                "2 records with “NID is not exactly 16 digits” (nid.format) are back in the commit.");
        browser.text(By.id("card-excluded"), "1");
        assertThat(TestServer.json(SERVER.get(
                                "/api/v1/uploads/" + id + "/records?status=excluded", SERVER.clerkToken("undoer")))
                        .get("items"))
                .extracting(r -> r.get("row").asInt())
                .containsExactly(5);
    }

    /**
     * A list of one record: the keyboard's focus on its marked cell shows the cell's tip below it, and the row, its
     * header and the tip stay in the records' view, so that a click on the row's Leave out reaches it.
     */
    @Test
    void review_oneRecordListKeepsItsRowInView() {
        reviewBadNids("single", 1800, 1);

        tipOfNidInView(5);

        by("#exclude-5").click();
        browser.text(By.id("edit-saved"), "Row 5 is left out");
    }

    /**
     * Moves the keyboard's focus onto row {@code row}'s NID, and asserts its tip shows within the records' box, which is
     * not scrolled down: the row and the header are in it too.
     */
    private static void tipOfNidInView(int row) {
        tipInView(row, "names", "nid");
    }

    /** {@link #tipOfNidInView}, for the cell of {@code field}, reached by Tab from that of {@code before}. */
    private static void tipInView(int row, String before, String field) {
        browser.script("arguments[0].focus()", by("#row-" + row + " td[data-field=" + before + "]"));
        browser.driver().switchTo().activeElement().sendKeys(Keys.TAB);
        WebElement cell = by("#row-" + row + " td[data-field=" + field + "]");
        assertThat(browser.script("return document.activeElement === arguments[0]", cell))
                .isEqualTo(true);
        browser.visible(By.id("tip-" + row + "-" + field));
        assertThat((Long) browser.script("return document.getElementById('records').scrollTop"))
                .as("the records' box is not scrolled down")
                .isZero();
        assertThat((Boolean) browser.script(
                        "const w = document.getElementById('records').getBoundingClientRect();"
                                + " const inside = (e) => { const r = e.getBoundingClientRect();"
                                + " return r.top >= w.top - 1 && r.bottom <= w.bottom + 1 && r.left >= w.left - 1"
                                + " && r.right <= w.right + 1; };"
                                + " return inside(document.getElementById('row-' + arguments[0]))"
                                + " && inside(document.querySelector('#records-table thead'))"
                                + " && inside(document.getElementById('tip-' + arguments[0] + '-' + arguments[1]));",
                        row,
                        field))
                .as("row %d, the header and the tip in the records' view", row)
                .isTrue();
    }

    /** The tips of the last three records of a list open above them, within the records' box. */
    @Test
    void review_lastRecordsTipsOpenAbove() {
        reviewBadNids("above", 1990, 5);
        tipOfNidInView(7);
        tipOfNidInView(8);
        tipOfNidInView(9);
    }

    /**
     * A list of five records with a phone number's long message each (two lines and more): every record's tip, the
     * first three's opening below and the last two's above, lies within the records' box.
     */
    @Test
    void review_longTipsOfAShortListInView() {
        reviewBad("longtips", 2010, 5, 2, "phone.invalid");
        for (int row = 5; row <= 9; row++) {
            tipInView(row, "nid", "phone_number");
        }
    }

    /** Go to a row not in the filtered list: the page says so on screen, and shows the nearest rows. */
    @Test
    void review_goToRowNotInTheListSaysSo() {
        reviewBadNids("seeker", 1850, 1);

        browser.visible(By.id("jump-row")).sendKeys("3", Keys.ENTER);
        WebElement said = browser.visible(By.id("row-not-shown"));
        assertThat(said.getText()).isEqualTo("Row 3 is not in this list; the nearest rows are shown.");
        assertThat(inWindow(said)).as("the message is in the window").isTrue();

        // a row in the list, sought next: the message goes
        browser.visible(By.id("jump-row")).clear();
        browser.visible(By.id("jump-row")).sendKeys("5", Keys.ENTER);
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("row-not-shown")));
    }

    /** On a phone the records' words are whole: a name breaks at its spaces, and the page still scrolls not sideways. */
    @Test
    void review_wordsWholeOnAPhone() {
        reviewBadNids("words", 1970, 1);
        browser.driver().manage().window().setSize(new Dimension(390, 844));
        browser.waiting().until(d -> (Long) browser.script("return document.documentElement.clientWidth") <= 390);
        assertNoSidewaysScrolling("review");
        List<WebElement> names = browser.driver().findElements(By.cssSelector("#records-table td[data-field=names]"));
        assertThat(names).isNotEmpty();
        for (WebElement name : names) {
            assertWordsWhole(name.findElement(By.cssSelector(".cell-value")));
        }
    }

    /** Asserts that each word of the element's text (its first child, a text node) lies on one line. */
    private static void assertWordsWhole(WebElement e) {
        assertThat((Boolean) browser.script(
                        "const t = arguments[0].firstChild; const r = document.createRange();"
                                + " let at = 0; return t.data.split(' ').every(w => { r.setStart(t, at);"
                                + " r.setEnd(t, at + w.length); at += w.length + 1;"
                                + " return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size === 1; });",
                        e))
                .as("each word of “%s” on one line", e.getText())
                .isTrue();
    }

    /** On a phone a button's words are whole: the rows' "Leave out" breaks between its words, if at all. */
    @Test
    void review_buttonsWordsWholeOnAPhone() {
        reviewBadNids("buttonwords", 2600, 1);
        browser.driver().manage().window().setSize(new Dimension(390, 844));
        browser.waiting().until(d -> (Long) browser.script("return document.documentElement.clientWidth") <= 390);
        List<WebElement> buttons = browser.driver().findElements(By.cssSelector("main .btn"));
        assertThat(buttons).extracting(WebElement::getText).contains("Leave out");
        for (WebElement button : buttons) {
            if (button.isDisplayed()) {
                assertWordsWhole(button);
            }
        }
    }

    private static void assertNoSidewaysScrolling(String what) {
        long scrollWidth = (Long) browser.script("return document.documentElement.scrollWidth");
        long clientWidth = (Long) browser.script("return document.documentElement.clientWidth");
        assertThat(scrollWidth).as("no sideways scrolling of the %s", what).isLessThanOrEqualTo(clientWidth);
    }

    /** Marks the element of this id, so that one drawn anew in its place can be told from it. */
    private static void markOld(String id) {
        browser.script("document.getElementById(arguments[0]).dataset.old = 'yes'", id);
    }

    /** Waits until the element of this id was drawn anew (see {@link #markOld}) and has the focus. */
    private static void focusedAnew(String id) {
        browser.waiting().until(d -> (Boolean)
                browser.script("const a = document.activeElement; return a.id === arguments[0] && !a.dataset.old", id));
    }

    /** Waits until the page's live region for screen readers says {@code text}. */
    private static void said(String text) {
        browser.waiting().until(d -> text.equals(browser.script("return document.getElementById('live').textContent")));
    }

    private static String[] person(int i, int column, String value) {
        String[] p = Workbooks.person(i);
        p[column] = value;
        return p;
    }

    /**
     * A cell another clerk saves while it is open here: Enter saves nothing over it (the record's tag as it was read,
     * as If-Match), names the value typed, and shows the row as it is now; the cell, opened again, saves.
     */
    @Test
    void review_anEditMadeWhileTheCellIsOpen_isNotOverwritten() {
        expectedStatuses = new int[] {412};
        String token = SERVER.clerkToken("twoclerks");
        String id = reviewed("twoclerks", token, Workbooks.xlsx(Workbooks.people(2900, 3)));
        by("#row-3 td[data-field=email]").click();
        WebElement input = browser.visible(By.cssSelector("#row-3 td[data-field=email] .cell-input"));

        // another clerk saves the same cell while it is open here
        String records = "/api/v1/uploads/" + id + "/records/3";
        assertThat(SERVER.patchJson(records, token, "{\"email\":\"other.clerk@example.rw\"}")
                        .statusCode())
                .isEqualTo(200);
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "this.clerk@example.rw", Keys.ENTER);

        browser.text(
                By.id("edit-conflict"),
                "Row 3 was changed by someone else while you edited it, so your value “this.clerk@example.rw” was not"
                        + " saved.");
        browser.text(By.cssSelector("#row-3 td[data-field=email]"), "other.clerk@example.rw");
        assertThat(TestServer.json(SERVER.get(records, token)).get("email").asText())
                .isEqualTo("other.clerk@example.rw");
        // the cell has the focus again: Enter opens it on the value saved meanwhile, and saves the one typed now
        browser.waiting().until(d -> (Boolean) browser.script(
                "return document.activeElement === document.querySelector(arguments[0])",
                "#row-3 td[data-field=email]"));
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        input = browser.visible(By.cssSelector("#row-3 td[data-field=email] .cell-input"));
        assertThat(input.getDomProperty("value")).isEqualTo("other.clerk@example.rw");
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "this.clerk@example.rw", Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 3 saved");
        assertThat(TestServer.json(SERVER.get(records, token)).get("email").asText())
                .isEqualTo("this.clerk@example.rw");

        // both saved the same value: nothing of this clerk's is lost, and the message says so
        by("#row-3 td[data-field=names]").click();
        input = browser.visible(By.cssSelector("#row-3 td[data-field=names] .cell-input"));
        assertThat(SERVER.patchJson(records, token, "{\"names\":\"Same Name\"}").statusCode())
                .isEqualTo(200);
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Same Name", Keys.ENTER);
        browser.text(
                By.id("edit-conflict"),
                "Row 3 was changed by someone else while you edited it, to your value “Same Name”: it holds it"
                        + " already.");
    }

    /**
     * The changes another tab made are what the page shows when it matters: the commit dialog counts the upload as it
     * is now, an edit starts from the value saved now, coming back to the window redraws, and an upload deleted
     * meanwhile leaves the review with the message.
     */
    @Test
    void review_anotherTabsChanges() {
        expectedStatuses = new int[] {404};
        String token = SERVER.clerkToken("tabs");
        List<String[]> rows = new java.util.ArrayList<>(Workbooks.people(700, 4));
        rows.add(person(704, 1, "123"));
        rows.add(person(705, 1, "12"));
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.signedIn("tabs", "tabs-password");
        browser.text(By.id("card-valid"), "4");

        String records = "/api/v1/uploads/" + id + "/records";
        assertThat(SERVER.postJson(records + "/exclude", token, "{\"status\":\"valid\",\"excluded\":true}")
                        .statusCode())
                .isEqualTo(200);
        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));
        assertThat(by("#commit-valid-explain").getText())
                .isEqualTo("Valid only: 0 saved; 6 skipped: the 2 invalid ones and the 4 valid ones left out.");
        assertThat(by("#card-excluded").getText()).isEqualTo("4");
        by("#commit-cancel").click();

        assertThat(SERVER.patchJson(records + "/2", token, "{\"names\":\"Other Clerk\"}")
                        .statusCode())
                .isEqualTo(200);
        by("#row-2 td[data-field=names]").click();
        WebElement input = browser.visible(By.cssSelector("#row-2 td[data-field=names] .cell-input"));
        assertThat(input.getDomProperty("value")).isEqualTo("Other Clerk");
        assertThat(by("#edit-stale").getText()).startsWith("Row 2 was changed meanwhile");
        input.sendKeys(Keys.ESCAPE);

        // the cell that had the focus has it again once the review is drawn anew (it has no id to be found by)
        browser.script("document.querySelector(arguments[0]).focus()", "#row-4 td[data-field=email]");
        assertThat(SERVER.patchJson(records + "/3", token, "{\"names\":\"Third Clerk\"}")
                        .statusCode())
                .isEqualTo(200);
        browser.script("window.dispatchEvent(new Event('focus'))");
        browser.text(By.cssSelector("#row-3 td[data-field=names]"), "Third Clerk");
        assertThat(browser.script(
                        "return document.activeElement === document.querySelector(arguments[0])",
                        "#row-4 td[data-field=email]"))
                .isEqualTo(true);
        // and so does the review's heading, which the review gives the focus when it opens
        browser.script("document.getElementById('review-title').focus()");
        assertThat(SERVER.patchJson(records + "/3", token, "{\"names\":\"Fourth Clerk\"}")
                        .statusCode())
                .isEqualTo(200);
        browser.script("window.dispatchEvent(new Event('focus'))");
        browser.text(By.cssSelector("#row-3 td[data-field=names]"), "Fourth Clerk");
        assertThat(browser.script("return document.activeElement.id")).isEqualTo("review-title");

        assertThat(SERVER.delete("/api/v1/uploads/" + id, token).statusCode()).isEqualTo(204);
        by("#commit-open").click();
        browser.text(By.cssSelector("main .problem"), "This upload is not there");
        assertThat(browser.driver()
                        .findElements(By.cssSelector("#commit-open, #discard-open, #report-csv, dialog[open]")))
                .isEmpty();
        assertThat(by("#review-gone-back").getAttribute("href")).endsWith("#/uploads");
        // the view is named as a link to an upload that is not there names it, and its heading has the focus
        assertThat(by("main h1").getText()).isEqualTo("Not available");
        browser.waiting().until(d ->
                (Boolean) browser.script("return document.activeElement === document.querySelector('main h1')"));
    }

    /**
     * Another commit registers two NIDs of the upload after its validation: the commit dialog counts them as the commit
     * will (the preview's numbers, not the totals of validation), says how many records they are, and the commit then
     * saves what the dialog said.
     */
    @Test
    void commitDialog_countsNidsAnotherCommitRegistered() {
        String token = SERVER.clerkToken("latecomer");
        List<String[]> rows = new ArrayList<>(Workbooks.people(2800, 4));
        rows.add(person(2804, 2, "12"));
        String id = reviewed("latecomer", token, Workbooks.xlsx(rows));
        browser.text(By.id("card-valid"), "4");
        String other = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(2800, 2)));
        Workbooks.settled(SERVER, token, other);
        assertThat(SERVER.postJson("/api/v1/uploads/" + other + "/commit", token, "")
                        .statusCode())
                .isEqualTo(200);

        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));
        assertThat(by("#commit-all-explain").getText())
                .isEqualTo("5 saved, the invalid ones with their violations; 0 skipped; 2 conflicts.");
        assertThat(by("#commit-valid-explain").getText()).isEqualTo("Valid only: 2 saved; 3 skipped; 2 conflicts.");
        assertThat(by("#commit-conflicts-note").getText())
                .isEqualTo("2 records now have a NID that another commit registered since validation: they will be"
                        + " saved as invalid (nid.already_registered) with all records, and skipped with valid only.");
        assertThat(by("#commit-valid").isSelected()).isTrue();
        by("#commit-confirm").click();
        browser.text(By.id("commit-outcome"), "Committed: 2 saved, 3 skipped, 2 conflicts.");
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id, token))
                        .at("/commit/committed")
                        .asLong())
                .isEqualTo(2);
    }

    /**
     * A tab shown again while its commit dialog is open reads the upload again: committed from another tab meanwhile,
     * the dialog is closed and the review shows the commit, with no Commit button left; still validated, the dialog
     * stays.
     */
    @Test
    void commitDialog_closedWhenTheTabShownAgainFindsTheUploadCommitted() {
        String token = SERVER.clerkToken("returner");
        String id = reviewed("returner", token, Workbooks.xlsx(Workbooks.people(2900, 3)));
        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));

        // still committable: the dialog stays as it is
        browser.script("document.dispatchEvent(new Event('visibilitychange'))");
        browser.text(By.id("review-status"), "validated");
        assertThat(by("dialog[open] #commit-valid").isDisplayed()).isTrue();

        assertThat(SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"valid\"}")
                        .statusCode())
                .isEqualTo(200);
        browser.script("document.dispatchEvent(new Event('visibilitychange'))");

        browser.text(By.id("review-status"), "committed");
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog")));
        assertThat(browser.driver().findElements(By.cssSelector("#commit-open, dialog")))
                .isEmpty();
        assertThat(by("#commit-state").getText()).contains("3 saved");
        assertThat(browser.driver().switchTo().activeElement().getAttribute("id"))
                .isEqualTo("review-title");
    }

    /**
     * A tab shown again while its commit dialog is open, the upload still validated but a record left out from another
     * tab meanwhile: the dialog counts its choices again, and once cancelled the review under it shows the record left
     * out, the keyboard back on the Commit button.
     */
    @Test
    void commitDialog_countedAgainWhenTheTabShownAgainFindsARecordLeftOut() {
        String token = SERVER.clerkToken("recounter");
        String id = reviewed("recounter", token, Workbooks.xlsx(Workbooks.people(6100, 4)));
        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));
        assertThat(by("#commit-valid-explain").getText()).isEqualTo("Valid only: 4 saved.");

        assertThat(SERVER.patchJson("/api/v1/uploads/" + id + "/records/3", token, "{\"excluded\":true}")
                        .statusCode())
                .isEqualTo(200);
        browser.script("document.dispatchEvent(new Event('visibilitychange'))");

        browser.text(By.id("commit-valid-explain"), "Valid only: 3 saved; the 1 left out is skipped.");
        assertThat(by("#commit-all-explain").getText())
                .isEqualTo("3 of 4 records saved; the 1 left out is not saved and counts as skipped.");
        by("#commit-cancel").click();
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog")));
        browser.text(By.id("card-excluded"), "1");
        browser.waiting()
                .until(d -> "commit-open".equals(d.switchTo().activeElement().getAttribute("id")));
    }

    /**
     * The keyboard's focus ring stands out of its ground by 3:1 or more: on the top bar's dark ground (its links and
     * its button) as on the page's light one.
     */
    @Test
    void focusRing_standsOutOnTheTopBarAsOnThePage() {
        SERVER.clerkToken("ringer");
        browser.open("/uploads");
        browser.signedIn("ringer", "ringer-password");
        // the keyboard goes on from the brand, at the top bar's start
        by(".top .brand").click();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            new org.openqa.selenium.interactions.Actions(browser.driver())
                    .sendKeys(Keys.TAB)
                    .perform();
            seen.add(ringAgainstItsGround());
        }
        assertThat(seen)
                .as("the top bar's two links, its sign-out button, then the page")
                .hasSize(4)
                .allSatisfy(ring -> assertThat(contrast(ring)).as(ring).isGreaterThanOrEqualTo(3.0));
        assertThat(seen.get(2)).startsWith("sign-out ");
        assertThat(seen.get(3)).doesNotStartWith("sign-out ").contains("rgb(91, 42, 134)");
    }

    /**
     * The focused element's id (or tag), its outline colour and the background of the nearest ancestor that has one,
     * when it shows the focus-visible ring.
     */
    private static String ringAgainstItsGround() {
        return (String) browser.script("""
                const e = document.activeElement;
                if (!e.matches(':focus-visible')) return (e.id || e.tagName) + ' no ring';
                let g = e;
                while (g && getComputedStyle(g).backgroundColor === 'rgba(0, 0, 0, 0)') g = g.parentElement;
                return (e.id || e.tagName) + ' ' + getComputedStyle(e).outlineColor + ' on '
                  + (g ? getComputedStyle(g).backgroundColor : 'rgb(255, 255, 255)');""");
    }

    /** The contrast ratio (WCAG) of the two rgb() colours a {@link #ringAgainstItsGround} names. */
    private static double contrast(String ring) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("rgb\\((\\d+), (\\d+), (\\d+)\\)")
                .matcher(ring);
        double[] l = new double[2];
        for (int i = 0; i < 2; i++) {
            assertThat(m.find()).as(ring).isTrue();
            double sum = 0;
            double[] weights = {0.2126, 0.7152, 0.0722};
            for (int c = 0; c < 3; c++) {
                double v = Integer.parseInt(m.group(c + 1)) / 255.0;
                sum += weights[c] * (v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
            }
            l[i] = sum;
        }
        return (Math.max(l[0], l[1]) + 0.05) / (Math.min(l[0], l[1]) + 0.05);
    }

    /**
     * The cell editor keeps a value as the server has it: a line break in a cell survives opening and saving it
     * untouched (no change is sent), and a value over the server's bound is refused in words, not cut short.
     */
    @Test
    void cellEditor_keepsLineBreaks_longValueRefusedInWords() throws IOException {
        // a name with an error (its digit) is shown, and edited, as written: a valid one shows with its white space
        // folded
        String csv = String.join(",", Workbooks.HEADER) + "\r\n\"Ann\nBee 2\","
                + String.join(",", Workbooks.person(2)).substring(Workbooks.person(2)[0].length() + 1)
                + "\r\n" + String.join(",", Workbooks.person(3)) + "\r\n";
        String token = SERVER.clerkToken("editor");
        reviewUploaded("editor", "breaks.csv", csv, "2 records, 1 valid, 1 invalid.");
        String id = TestServer.json(SERVER.get("/api/v1/uploads", token))
                .get(0)
                .get("id")
                .asText();

        WebElement names = by("#row-2 td[data-field=names]");
        browser.script("arguments[0].focus()", names);
        names.sendKeys(Keys.ENTER);
        enterEditsNothing(id, token, "names", "Ann\nBee 2", "names", "Ann\nBee 2");

        // the next record starts on the line after the two lines of the first
        int next = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records", token))
                .get("items")
                .get(1)
                .get("row")
                .asInt();
        by("#row-" + next + " td[data-field=names]").click();
        WebElement longer = browser.visible(By.cssSelector("#row-" + next + " td[data-field=names] .cell-input"));
        browser.script("arguments[0].value = arguments[1]", longer, "a".repeat(1_001));
        expectedStatuses = new int[] {400};
        longer.sendKeys(Keys.ENTER);
        browser.text(By.cssSelector("main .problem"), "The value is too long: at most 1,000 characters.");
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/" + next, token))
                        .get("names")
                        .asText())
                .isEqualTo(Workbooks.person(3)[0]);
    }

    /**
     * The uploads page cannot follow a validation to its end (the network fails, or the upload was deleted meanwhile):
     * the panel says so, not "validating" forever.
     */
    @Test
    void upload_validationNotFollowedToItsEnd_saysSo() throws IOException, SQLException {
        String path = file("follow.xlsx", Workbooks.xlsx(Workbooks.people(900, 3)));
        SERVER.clerkToken("follower");
        browser.open("/uploads");
        browser.signedIn("follower", "follower-password");
        // the network fails under the page's wait for the end of the validation (a deleted upload's 404 takes the
        // same path): the validation is held, so the answers before it (the upload's, the list's) say validating, and
        // the page waits
        browser.block("*wait=*");
        try {
            validationHeld(() -> {
                browser.visible(By.id("file-input")).sendKeys(path);
                browser.text(
                        By.id("upload-status"), "The server could not be reached. Check the connection and try again.");
            });
        } finally {
            browser.block(null);
        }
        assertThat(by("#upload-status").getText()).contains("The validation of follow.xlsx could not be followed");
        assertThat(by("#upload-panel").getAttribute("data-state")).isEqualTo("lost");
    }

    /**
     * The keyboard goes on from the control used: a filter, a chart bar, Clear filters, Leave out and Put back keep
     * the focus when the view is drawn again. A bar lists what it counts; a cell tells the record's own message; the
     * filters fit a small window.
     */
    @Test
    void review_keyboardFocusStaysOnTheControlUsed() {
        String token = SERVER.clerkToken("keys");
        List<String[]> rows = List.of(
                Workbooks.HEADER,
                Workbooks.person(800),
                person(801, 2, Workbooks.person(800)[2]),
                Workbooks.person(802),
                person(803, 2, Workbooks.person(802)[2]),
                person(804, 4, "@example.com"),
                person(805, 0, "Ann 3"));
        rows.get(4)[1] = "123";
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.signedIn("keys", "keys-password");
        browser.visible(By.id("records-table"));

        // Chrome changes a closed select on an arrow key: each change redraws, and the next arrow goes on
        browser.script("document.getElementById('filter-status').focus()");
        markOld("filter-status");
        by("#filter-status").sendKeys(Keys.ARROW_DOWN);
        focusedAnew("filter-status");
        assertThat(browser.driver().getCurrentUrl()).contains("status=valid");
        markOld("filter-status");
        by("#filter-status").sendKeys(Keys.ARROW_DOWN);
        focusedAnew("filter-status");
        browser.text(By.cssSelector("#records-table caption"), "of 3");
        assertThat(browser.driver().getCurrentUrl()).contains("status=invalid");

        // a bar counts the whole upload: it lists all its records, whatever the status filter was
        WebElement bar = by("#bar-phone-duplicate");
        assertThat(bar.findElement(By.cssSelector(".bar-count")).getText()).isEqualTo("2");
        markOld("bar-phone-duplicate");
        bar.sendKeys(Keys.ENTER);
        focusedAnew("bar-phone-duplicate");
        browser.text(By.cssSelector("#records-table caption"), "Records 1–2 of 2");
        assertThat(browser.driver().getCurrentUrl())
                .contains("code=phone.duplicate")
                .doesNotContain("status=");
        assertThat(new org.openqa.selenium.support.ui.Select(by("#filter-status"))
                        .getFirstSelectedOption()
                        .getText())
                .isEqualTo("All");

        markOld("filter-clear");
        by("#filter-clear").sendKeys(Keys.ENTER);
        focusedAnew("filter-clear");
        browser.text(By.cssSelector("#records-table caption"), "of 6");

        markOld("exclude-2");
        by("#exclude-2").sendKeys(Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 2 is left out of the commit, and of the duplicate checks.");
        focusedAnew("exclude-2");
        assertThat(by("#exclude-2").getText()).isEqualTo("Put back");
        markOld("exclude-2");
        by("#exclude-2").sendKeys(Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 2 is back in the commit.");
        focusedAnew("exclude-2");

        // a cell tells the record's own message under the code's words
        assertThat(by("#row-6 td[data-field=email] .tip").getAttribute("textContent"))
                .isEqualTo(
                        "Error: Not a valid email address: Email must look like name@example.com: nothing before the @");
        by("#toggle-6").click();
        assertThat(browser.visible(By.id("details-6")).getText()).contains("— Email must look like name@example.com");

        // the filters wrap and the long violation select shrinks: no sideways scrolling at 800x600
        browser.driver().manage().window().setSize(new Dimension(800, 600));
        browser.waiting().until(d -> (Boolean)
                browser.script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"));
    }

    /**
     * Saved users name two uploads of one file name apart, in the filter and the column, and say the violations in
     * words; the table fits the page at 1280 wide, its Saved column included.
     */
    @Test
    void savedUsers_twoUploadsOfOneNameAndViolationWords() {
        String token = SERVER.clerkToken("twins");
        String[] ids = new String[2];
        for (int i = 0; i < 2; i++) {
            // long values, as lists hold: the columns wrap rather than push Saved out of the table's box
            String[] longOne = person(901 + 10 * i, 0, "Uwimana Marie-Claire Mukeshimana Nyirahabimana Uwase 3");
            longOne[4] = "marie.claire.mukeshimana.nyirahabimana" + i + "@ministry-of-local-government.example.rw";
            List<String[]> rows = List.of(Workbooks.HEADER, Workbooks.person(900 + 10 * i), longOne);
            ids[i] = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
            Workbooks.settled(SERVER, token, ids[i]);
            assertThat(SERVER.postJson("/api/v1/uploads/" + ids[i] + "/commit", token, "")
                            .statusCode())
                    .isEqualTo(200);
        }
        browser.open("/users?uploadId=" + ids[0] + "&valid=false");
        browser.signedIn("twins", "twins-password");
        browser.text(By.cssSelector("#users-table caption"), "of 1");

        String first = by("#users-upload option[value='" + ids[0] + "']").getText();
        String second = by("#users-upload option[value='" + ids[1] + "']").getText();
        assertThat(first).startsWith("people.xlsx, committed ").isNotEqualTo(second);
        assertThat(second).startsWith("people.xlsx, committed ");
        WebElement row = by("#users-table tbody tr");
        assertThat(row.getText()).contains(first);
        assertThat(row.findElement(By.cssSelector(".violations-cell")).getText())
                .isEqualTo("Names hold characters other than letters, space, apostrophe, hyphen or period");

        assertThat((Boolean) browser.script("const w = document.getElementById('users-table').parentElement;"
                        + " return w.scrollWidth <= w.clientWidth"))
                .as("the table fits its box")
                .isTrue();
    }

    /**
     * A list whose answer comes after the user went on to another view (here the page's requests for saved users are
     * held in the browser until the Uploads view is drawn) is not drawn over that view.
     */
    @Test
    void savedUsers_aListAnsweredAfterTheUserLeftIsNotDrawn() {
        String token = SERVER.clerkToken("hasty");
        committed(token, Workbooks.xlsx(Workbooks.people(3400, 2)));
        browser.open("/uploads");
        browser.signedIn("hasty", "hasty-password");
        browser.text(By.cssSelector("#main h1"), "Uploads");
        browser.script("const sent = window.fetch; let open; window.gate = new Promise((r) => { open = r; });"
                + " window.openGate = open; window.held = 0; window.delivered = 0;"
                + " window.fetch = async (...args) => { const res = await sent(...args);"
                + " if (String(args[0]).includes('/api/v1/users')) { window.held += 1; await window.gate;"
                + " window.delivered += 1; } return res; };");

        by("nav a[href='#/users']").click();
        browser.waiting().until(d -> ((Number) browser.script("return window.held")).intValue() >= 1);
        by("nav a[href='#/uploads']").click();
        browser.text(By.cssSelector("#main h1"), "Uploads");
        browser.script("window.openGate()");

        // once the held answer was handed over, two round trips to the server: its drawing, if any, came before
        Object after = browser.driver()
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + " (async () => { while (window.delivered < window.held) await new Promise((r) => setTimeout(r));"
                        + " await fetch('/api/v1/'); await fetch('/api/v1/');"
                        + " done(document.querySelector('#main h1').textContent + ' ' + location.hash); })();");
        assertThat(after).isEqualTo("Uploads #/uploads");
        assertThat(by("nav a[href='#/uploads']").getAttribute("aria-current")).isEqualTo("page");
    }

    /**
     * Saved users name the users of an upload committed before the last 500 (the commits are read page after page),
     * in the filter and the column; uploads sent with no file name are named so, told apart by their commit time.
     */
    @Test
    void savedUsers_anUploadCommittedBeforeTheLast500IsNamed() throws SQLException {
        String token = SERVER.clerkToken("prolific");
        String id = committed(token, Workbooks.xlsx(Workbooks.people(3500, 1)));
        try (Connection c = DriverManager.getConnection(
                        SERVER.config().jdbcUrl(),
                        SERVER.config().dbUser(),
                        SERVER.config().dbPassword());
                Statement st = c.createStatement()) {
            // 500 later commits of the same clerk, with no users (the listing reads the uploads table)
            st.execute(
                    "INSERT INTO uploads (id, owner, file_name, records, valid_records, invalid_records, with_warnings,"
                            + " blank_rows, commit_mode, committed, skipped, conflicts, committed_at) SELECT 'zz-later-' || X,"
                            + " 'prolific', 'later-' || X || '.xlsx', 0, 0, 0, 0, 0, 'all', 0, 0, 0,"
                            + " CURRENT_TIMESTAMP + X * INTERVAL '1' SECOND FROM SYSTEM_RANGE(1, 500)");
            // and two sent as raw bodies with no name
            st.execute(
                    "INSERT INTO uploads (id, owner, file_name, records, valid_records, invalid_records, with_warnings,"
                            + " blank_rows, commit_mode, committed, skipped, conflicts, committed_at) SELECT 'zz-unnamed-' || X,"
                            + " 'prolific', '', 0, 0, 0, 0, 0, 'all', 0, 0, 0,"
                            + " CURRENT_TIMESTAMP + X * INTERVAL '1' MINUTE FROM SYSTEM_RANGE(1, 2)");
        }
        browser.open("/users?uploadId=" + id);
        browser.signedIn("prolific", "prolific-password");
        browser.text(By.cssSelector("#users-table caption"), "of 1");

        assertThat(by("#users-upload option[value='" + id + "']").getText()).isEqualTo("people.xlsx");
        assertThat(by("#users-table tbody tr td.upload").getText()).isEqualTo("people.xlsx");
        assertThat(browser.driver().findElements(By.cssSelector("#users-upload option")))
                .hasSize(504);
        assertThat(by("#users-upload option[value='zz-unnamed-1']").getText())
                .startsWith("(no file name), committed ")
                .isNotEqualTo(by("#users-upload option[value='zz-unnamed-2']").getText());
    }

    /**
     * At 1280 wide, the saved users' row numbers of four digits stay on one line, as NIDs and phone numbers do, and a
     * file name breaks at no character of its own ("upload1. / xlsx"); the table still fits its box.
     */
    @Test
    void savedUsers_rowNumbersAndFileNamesUnbroken() {
        String token = SERVER.clerkToken("thousand");
        List<String[]> rows = new ArrayList<>(Workbooks.people(3000, 1_140));
        String[] longOne = person(4200, 0, "Uwimana Marie-Claire Mukeshimana Nyirahabimana Uwase 3");
        longOne[4] = "marie.claire.mukeshimana.nyirahabimana@ministry-of-local-government.example.rw";
        rows.add(longOne);
        HttpResponse<String> created = SERVER.send(SERVER.request("/api/v1/uploads?fileName=upload1.xlsx", token)
                .header("Content-Type", Workbooks.XLSX)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(Workbooks.xlsx(rows)))
                .build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String id = TestServer.json(created).get("id").asText();
        Workbooks.settled(SERVER, token, id);
        assertThat(SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "")
                        .statusCode())
                .isEqualTo(200);

        browser.open("/users?uploadId=" + id + "&page=23");
        browser.signedIn("thousand", "thousand-password");
        browser.text(By.cssSelector("#users-table caption"), "Records 1,101–1,141 of 1,141");

        @SuppressWarnings("unchecked")
        List<Long> lines = (List<Long>) browser.script("""
                const lines = (td) => { const r = document.createRange(); r.selectNodeContents(td);
                  return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; };
                return [...document.querySelectorAll('#users-table tbody tr')]
                  .flatMap((tr) => [lines(tr.cells[0]), lines(tr.cells[1])]);""");
        assertThat(lines).hasSize(2 * 41).containsOnly(1L);
        assertThat(by("#users-table tbody tr td").getText()).isEqualTo("upload1.xlsx");
        assertThat((Boolean) browser.script("const w = document.getElementById('users-table').parentElement;"
                        + " return w.scrollWidth <= w.clientWidth"))
                .as("the table fits its box")
                .isTrue();

        by("#users-page-prev").click();
        said("Page 22 of 23. Records 1,051\u20131,100 of 1,141");
        // a page past the last (an old link): the last page in its place
        browser.driver().get(SERVER.uri("/#/users?uploadId=" + id + "&page=99").toString());
        browser.text(By.id("users-page-pageof"), "Page 23 of 23");
        browser.text(By.cssSelector("#users-table caption"), "Records 1,101\u20131,141 of 1,141");
        assertThat(browser.driver().getCurrentUrl()).endsWith("page=23");

        // the uploads list: a long file name breaks at its underscores, and the link to the review stays in view
        String longName = "Rwanda_Eastern_Province_Kayonza_District_registrations_2026_batch_0001_final_FINAL_v2"
                + "_reviewed_by_clerk_Mukamana.csv";
        // and one with no space, hyphen or underscore at all
        HttpResponse<String> unbroken = SERVER.send(SERVER.request(
                        "/api/v1/uploads?fileName="
                                + "RegistrationListForTheEasternProvinceDistrictOfficesSecondQuarter2026FinalVersion.csv",
                        token)
                .header("Content-Type", "text/csv")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        Workbooks.csv(Workbooks.people(5100, 2)).toString()))
                .build());
        assertThat(unbroken.statusCode()).as(unbroken.body()).isEqualTo(202);
        HttpResponse<String> named = SERVER.send(SERVER.request("/api/v1/uploads?fileName=" + longName, token)
                .header("Content-Type", "text/csv")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        Workbooks.csv(Workbooks.people(5000, 2)).toString()))
                .build());
        assertThat(named.statusCode()).as(named.body()).isEqualTo(202);
        String namedId = TestServer.json(named).get("id").asText();
        browser.driver().get(SERVER.uri("/#/uploads").toString());
        WebElement review = browser.visible(By.id("review-" + namedId));
        assertThat((Boolean) browser.script(
                        "return arguments[0].getBoundingClientRect().right <= document.documentElement.clientWidth",
                        review))
                .as("the Review link is in view")
                .isTrue();
        assertThat((Boolean) browser.script("const w = document.getElementById('uploads-table').parentElement;"
                        + " return w.scrollWidth <= w.clientWidth"))
                .as("the uploads table fits its box")
                .isTrue();
    }

    /**
     * A focused marked cell shows its tip over the next rows' cells: a click there opens the editor of the cell under
     * the pointer, not the focused cell's. Escape hides the tip until the focus leaves the cell.
     */
    @Test
    void cellTip_aClickUnderItEditsTheCellUnderThePointer() {
        String token = SERVER.clerkToken("tipper");
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(Workbooks.HEADER);
        for (int i = 0; i < 8; i++) {
            rows.add(person(1000 + i, 2, "12"));
        }
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.signedIn("tipper", "tipper-password");
        browser.visible(By.id("records-table"));

        WebElement focused = by("#row-3 td[data-field=phone_number]");
        WebElement below = by("#row-4 td[data-field=phone_number]");
        browser.script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", focused);
        WebElement tip = focused.findElement(By.cssSelector(".tip"));
        browser.waiting().until(ExpectedConditions.visibilityOf(tip));
        assertThat((Boolean) browser.script(
                        "const t = arguments[0].getBoundingClientRect(), c = arguments[1].getBoundingClientRect();"
                                + " const x = c.left + c.width / 2, y = c.top + c.height / 2;"
                                + " return t.left <= x && x <= t.right && t.top <= y && y <= t.bottom",
                        tip,
                        below))
                .as("the tip lies over the next row's cell")
                .isTrue();
        // Escape hides it until the focus leaves the cell
        focused.sendKeys(Keys.ESCAPE);
        browser.waiting().until(ExpectedConditions.invisibilityOf(tip));
        assertThat(browser.driver().switchTo().activeElement()).isEqualTo(focused);
        browser.script("arguments[0].focus(); arguments[1].focus()", below, focused);
        browser.waiting().until(ExpectedConditions.visibilityOf(tip));

        new org.openqa.selenium.interactions.Actions(browser.driver())
                .moveToElement(below)
                .click()
                .perform();
        WebElement editor = browser.visible(By.cssSelector(".cell-input"));
        assertThat(editor.getAttribute("aria-label")).startsWith("Phone number of row 4:");
        assertThat(browser.driver().findElements(By.cssSelector("#row-3 .cell-input")))
                .isEmpty();
        editor.sendKeys(Keys.ESCAPE);
    }

    /**
     * Leaving the cell editor (Tab) saves the value typed, as Enter does, and the focus goes on to the next cell; a
     * value the server refuses stays in the editor with the reason shown.
     */
    @Test
    void cellEditor_leavingItSavesTheValueTyped() {
        String token = SERVER.clerkToken("leaver");
        List<String[]> rows = new java.util.ArrayList<>(Workbooks.people(1100, 2));
        rows.add(person(1102, 2, "12"));
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.signedIn("leaver", "leaver-password");
        browser.visible(By.id("records-table"));

        by("#row-4 td[data-field=phone_number]").click();
        WebElement phone = browser.visible(By.cssSelector("#row-4 td[data-field=phone_number] .cell-input"));
        phone.sendKeys("0788001102", Keys.TAB);
        browser.text(By.id("edit-saved"), "Row 4 saved: now Valid.");
        // shown normalized, as it is saved; the value typed is kept as written beside it
        browser.text(By.cssSelector("#row-4 td[data-field=phone_number]"), "+250788001102");
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/4", token))
                        .get("phoneNumber")
                        .asText())
                .isEqualTo("0788001102");
        browser.waiting()
                .until(d -> "4 gender"
                        .equals(browser.script("const a = document.activeElement;"
                                + " return a.closest('tr') && a.closest('tr').id.slice(4) + ' ' + a.dataset.field")));

        // refused: the value stays in the editor, the reason is shown
        expectedStatuses = new int[] {400};
        by("#row-2 td[data-field=names]").click();
        WebElement names = browser.visible(By.cssSelector("#row-2 td[data-field=names] .cell-input"));
        browser.script("arguments[0].value = arguments[1]", names, "a".repeat(1_001));
        names.sendKeys(Keys.TAB);
        browser.text(By.cssSelector("main .problem"), "The value is too long: at most 1,000 characters.");
        assertThat(by("#row-2 td[data-field=names] .cell-input").getDomProperty("value"))
                .isEqualTo("a".repeat(1_001));
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/2", token))
                        .get("names")
                        .asText())
                .isEqualTo(Workbooks.person(1100)[0]);
    }

    /** Uploads the workbook as the clerk, and opens its review once validated, signed in; the upload's id. */
    private static String reviewed(String clerk, String token, byte[] workbook) {
        String id = Workbooks.accepted(SERVER, token, workbook);
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.signedIn(clerk, clerk + "-password");
        browser.visible(By.id("records-table"));
        return id;
    }

    /** Enter on a NID that was a number cell, its digits left as they are, confirms it as text. */
    @Test
    void cellEditor_enterOnANumberCellNidConfirmsIt() {
        String token = SERVER.clerkToken("confirmer");
        String id = reviewed("confirmer", token, Workbooks.xlsxNumberNids(Workbooks.people(1300, 1)));

        by("#row-2 td[data-field=nid]").click();
        browser.visible(By.cssSelector("#row-2 td[data-field=nid] .cell-input")).sendKeys(Keys.ENTER);

        browser.text(By.id("edit-saved"), "Row 2 saved: now Valid.");
        JsonNode record = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/2", token));
        assertThat(record.get("errors")).isEmpty();
        assertThat(record.get("nid").asText()).isEqualTo(Workbooks.person(1300)[1]);
    }

    /** Waits until the focus is on the element {@code css} finds. */
    private static void focusOn(String css) {
        browser.waiting().until(d -> (Boolean)
                browser.script("return document.activeElement === document.querySelector(arguments[0])", css));
    }

    /**
     * The keyboard goes on in a list a row left: a fix that takes the row out of the Invalid list, and Put back in the
     * Left out list, focus the same cell or button of the row now in its place (the list's notice once it is empty);
     * "duplicate of row N" focuses that row. The focus ring, the badges and the chart's bars can be told and read.
     */
    @Test
    void keyboard_focusGoesOnWhereTheRowLeftTheList() {
        String token = SERVER.clerkToken("mover");
        String id = Workbooks.accepted(
                SERVER,
                token,
                Workbooks.xlsx(List.of(
                        Workbooks.HEADER,
                        Workbooks.person(1900),
                        person(1901, 2, "12"),
                        person(1902, 2, "12"),
                        person(1903, 1, Workbooks.person(1900)[1]),
                        Workbooks.person(1904),
                        Workbooks.person(1905),
                        person(1906, 4, "not-an-email"))));
        Workbooks.settled(SERVER, token, id);
        for (int row : new int[] {6, 7}) {
            assertThat(SERVER.patchJson("/api/v1/uploads/" + id + "/records/" + row, token, "{\"excluded\":true}")
                            .statusCode())
                    .isEqualTo(200);
        }
        browser.open("/uploads/" + id + "?status=invalid");
        browser.signedIn("mover", "mover-password");
        browser.visible(By.id("row-3"));

        browser.script("document.querySelector('#row-3 td[data-field=phone_number]').focus()");
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.visible(By.cssSelector("#row-3 .cell-input")).sendKeys("0788001901", Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 3 saved: now Valid.");
        focusOn("#row-4 td[data-field=phone_number]");
        // saved by Tab from the row's last cell (the focus on the row's details button, in the row that left)
        browser.script("document.querySelector('#row-8 td[data-field=email]').focus()");
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.visible(By.cssSelector("#row-8 .cell-input"))
                .sendKeys(Keys.chord(Keys.CONTROL, "a"), "p1906@example.rw", Keys.TAB);
        browser.text(By.id("edit-saved"), "Row 8 saved: now Valid.");
        focusOn("#toggle-5");

        browser.script("location.hash = arguments[0]", "#/uploads/" + id + "?status=excluded");
        browser.visible(By.id("exclude-6")).sendKeys(Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 6 is back in the commit.");
        focusOn("#exclude-7");
        by("#exclude-7").sendKeys(Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 7 is back in the commit.");
        focusOn("#records-empty");

        browser.script("location.hash = arguments[0]", "#/uploads/" + id);
        browser.visible(By.id("toggle-5")).click();
        browser.visible(By.cssSelector("#details-5 a.related")).sendKeys(Keys.ENTER);
        focusOn("#row-2.highlight");

        // WCAG's contrasts: the focus ring 3:1 on the page and on a card; the committed badge's text 4.5:1
        String contrast = "const L = (c) => { const v = c.match(/[\\d.]+/g).slice(0, 3).map((x) => { x /= 255;"
                + " return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });"
                + " return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };"
                + " const r = (a, b) => (Math.max(L(a), L(b)) + 0.05) / (Math.min(L(a), L(b)) + 0.05);";
        browser.script("document.getElementById('filter-size').focus()");
        new org.openqa.selenium.interactions.Actions(browser.driver())
                .sendKeys(Keys.TAB)
                .perform();
        focusOn("#filter-clear");
        assertThat(((Number) browser.script(contrast + " const a = document.activeElement;"
                                + " if (!a.matches(':focus-visible')) return 0;"
                                + " const ring = getComputedStyle(a).outlineColor;"
                                + " return Math.min(r(ring, getComputedStyle(document.documentElement).backgroundColor),"
                                + " r(ring, 'rgb(255, 255, 255)'));"))
                        .doubleValue())
                .as("the focus ring's contrast")
                .isGreaterThanOrEqualTo(3.0);
        assertThat(((Number) browser.script(contrast + " const b = document.createElement('span');"
                                + " b.className = 'badge committed'; document.body.append(b);"
                                + " const s = getComputedStyle(b); const q = r(s.color, s.backgroundColor);"
                                + " b.remove(); return q;"))
                        .doubleValue())
                .as("the committed badge's contrast")
                .isGreaterThanOrEqualTo(4.5);
        // a bar's name is the words it shows, as a screen reader (and axe-core) reads them: its text, spaces included
        WebElement bar = by("#bar-phone-invalid");
        assertThat(bar.getAttribute("aria-label"))
                .isEqualTo(((String) browser.script("return arguments[0].textContent", bar))
                        .replaceAll("\\s+", " ")
                        .strip());
    }

    /** The number of lines the text of this element takes. */
    private static long lines(WebElement e) {
        return (Long) browser.script(
                "const r = document.createRange(); r.selectNodeContents(arguments[0]);"
                        + " return new Set([...r.getClientRects()].filter(c => c.width > 0).map(c => Math.round(c.top))).size",
                e);
    }

    /**
     * A NID and a phone number stay on one line at 1024 wide, in the review and in the saved users, whatever the
     * other columns hold: the long names, emails and violations wrap instead.
     */
    @Test
    void nidAndPhone_onOneLineAt1024() {
        String token = SERVER.clerkToken("narrow");
        List<String[]> rows = new java.util.ArrayList<>(List.<String[]>of(Workbooks.HEADER));
        for (int i = 0; i < 3; i++) {
            String[] p = person(1200 + i, 0, "Uwimana Marie-Claire Mukeshimana Nyirahabimana Uwase " + "Abc".repeat(i));
            p[4] = "marie.claire.mukeshimana.nyirahabimana" + i + "@ministry-of-local-government.example.rw";
            rows.add(p);
        }
        rows.add(person(1203, 1, "1197377733219157 and more words to wrap"));
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads/" + id);
        browser.driver().manage().window().setSize(new Dimension(1024, 700));
        browser.signedIn("narrow", "narrow-password");
        browser.visible(By.id("records-table"));
        for (int row = 2; row <= 5; row++) {
            assertThat(lines(by("#row-" + row + " td[data-field=nid] .cell-value")))
                    .as("NID of row " + row)
                    .isEqualTo(1);
            assertThat(lines(by("#row-" + row + " td[data-field=phone_number] .cell-value")))
                    .as("phone of row " + row)
                    .isEqualTo(1);
        }

        assertThat(SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"all\"}")
                        .statusCode())
                .isEqualTo(200);
        browser.driver().get(SERVER.uri("/#/users?uploadId=" + id).toString());
        browser.text(By.cssSelector("#users-table caption"), "of 4");
        for (WebElement row : browser.driver().findElements(By.cssSelector("#users-table tbody tr"))) {
            assertThat(lines(row.findElement(By.cssSelector("td[data-field=nid]"))))
                    .isEqualTo(1);
            assertThat(lines(row.findElement(By.cssSelector("td[data-field=phone_number]"))))
                    .isEqualTo(1);
        }
        browser.driver().manage().window().setSize(new Dimension(1366, 768));
        for (WebElement row : browser.driver().findElements(By.cssSelector("#users-table tbody tr"))) {
            assertThat(lines(row.findElement(By.cssSelector("td[data-field=nid]"))))
                    .isEqualTo(1);
        }
    }

    /** The commit dialog counts in words that agree with the numbers: one record left out is one, not "the 1 are". */
    @Test
    void commitDialog_singularAndPlural() {
        String token = SERVER.clerkToken("counter");
        List<String[]> rows = new java.util.ArrayList<>(Workbooks.people(1300, 3));
        rows.add(person(1303, 1, "123"));
        rows.add(person(1304, 1, "12"));
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(rows));
        Workbooks.settled(SERVER, token, id);
        String records = "/api/v1/uploads/" + id + "/records";
        assertThat(SERVER.patchJson(records + "/5", token, "{\"excluded\":true}")
                        .statusCode())
                .isEqualTo(200);
        browser.open("/uploads/" + id);
        browser.signedIn("counter", "counter-password");
        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));
        assertThat(by("#commit-valid-explain").getText())
                .isEqualTo("Valid only: 3 saved; the 2 invalid ones are skipped (the 1 left out is among them).");
        assertThat(by("#commit-all-explain").getText())
                .isEqualTo("4 of 5 records saved, the invalid ones with their violations;"
                        + " the 1 left out is not saved and counts as skipped.");
        by("#commit-cancel").click();

        assertThat(SERVER.patchJson(records + "/6", token, "{\"nid\":\"" + Workbooks.person(1304)[1] + "\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(SERVER.patchJson(records + "/2", token, "{\"excluded\":true}")
                        .statusCode())
                .isEqualTo(200);
        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));
        assertThat(by("#commit-valid-explain").getText())
                .isEqualTo("Valid only: 3 saved; 2 skipped: the 1 invalid one and the 1 valid one left out.");
        assertThat(by("#commit-all-explain").getText())
                .isEqualTo("3 of 5 records saved; the 2 left out are not saved and count as skipped.");
        by("#commit-cancel").click();

        assertThat(SERVER.patchJson(records + "/2", token, "{\"excluded\":false}")
                        .statusCode())
                .isEqualTo(200);
        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));
        assertThat(by("#commit-valid-explain").getText())
                .isEqualTo("Valid only: 4 saved; the 1 invalid one is skipped: it is the one left out.");
        by("#commit-cancel").click();
    }

    /**
     * Whether the element lies wholly inside the window, to within a pixel: the browser scrolls an element into view
     * by whole pixels, and the layout above it need not be.
     */
    private static boolean inWindow(WebElement e) {
        return (Boolean) browser.script(
                "const r = arguments[0].getBoundingClientRect();"
                        + " return r.height > 0 && r.top > -1 && r.left > -1 && r.bottom < innerHeight + 1"
                        + " && r.right < innerWidth + 1",
                e);
    }

    /**
     * On a phone, a control that takes the focus under the message of an edit (at the window's top while the page is
     * scrolled down) is scrolled from under it (WCAG 2.4.11), as Shift+Tab up the rows brought one there.
     */
    @Test
    void editOutcome_aControlFocusedUnderIt_scrolledFromUnderIt() {
        Dimension before = browser.driver().manage().window().getSize();
        try {
            reviewed("under", SERVER.clerkToken("under"), Workbooks.xlsx(Workbooks.people(1600, 60)));
            browser.driver().manage().window().setSize(new Dimension(390, 844));
            WebElement cell = by("#row-40 td[data-field=names]");
            browser.script("arguments[0].scrollIntoView({block: 'end'})", cell);
            cell.click();
            browser.visible(By.cssSelector("#row-40 td[data-field=names] .cell-input"))
                    .sendKeys("Ann Other", Keys.ENTER);
            browser.text(By.id("edit-saved"), "Row 40 saved: now Valid.");
            WebElement under = by("#row-30 td[data-field=names]");
            // the row brought to the message's place, then focused there, as the keyboard would
            browser.script(
                    "scrollBy(0, arguments[0].getBoundingClientRect().top"
                            + " - document.getElementById('notice').getBoundingClientRect().top)",
                    under);
            assertThat(overlapsNotice(under))
                    .as("the row lies under the message")
                    .isTrue();

            browser.script("arguments[0].focus()", under);

            browser.waiting().until(d -> !overlapsNotice(under));
            assertThat(inWindow(under)).as("and it is in the window").isTrue();
        } finally {
            browser.driver().manage().window().setSize(before);
        }
    }

    private static boolean overlapsNotice(WebElement e) {
        return (Boolean) browser.script(
                "const n = document.getElementById('notice').getBoundingClientRect(),"
                        + " r = arguments[0].getBoundingClientRect();"
                        + " return r.bottom > n.top && r.top < n.bottom && r.right > n.left && r.left < n.right",
                e);
    }

    /**
     * What an edit near the bottom of a page did is told in the window, not above the chart out of view; the clerk
     * closes the message.
     */
    @Test
    void editOutcome_shownInTheWindow() {
        reviewed("bottom", SERVER.clerkToken("bottom"), Workbooks.xlsx(Workbooks.people(1400, 60)));

        WebElement cell = by("#row-50 td[data-field=names]");
        browser.script("arguments[0].scrollIntoView({block: 'end'})", cell);
        cell.click();
        browser.visible(By.cssSelector("#row-50 td[data-field=names] .cell-input"))
                .sendKeys("Ann Other", Keys.ENTER);
        WebElement saved = browser.visible(By.id("edit-saved"));
        browser.text(By.id("edit-saved"), "Row 50 saved: now Valid.");
        assertThat((Long) browser.script("return scrollY"))
                .as("the page stays scrolled down")
                .isGreaterThan(500L);
        assertThat(inWindow(saved)).as("the outcome is in the window").isTrue();
        assertThat(inWindow(by("#row-50 td[data-field=names]")))
                .as("so is the edited row")
                .isTrue();

        assertThat((Long) browser.script("return Math.round(arguments[0].getBoundingClientRect().top)", saved))
                .as("the top bar scrolled away: the message is at the window's top")
                .isLessThan(40L);

        // scrolled back to the top, the message keeps clear of the top bar and its Sign out
        browser.script("scrollTo(0, 0)");
        browser.waiting()
                .until(d ->
                        (Boolean) browser.script("return document.getElementById('notice').getBoundingClientRect().top"
                                + " >= document.getElementById('top').getBoundingClientRect().bottom"));
        assertThat((Boolean) browser.script("const s = document.getElementById('sign-out').getBoundingClientRect(),"
                        + " n = document.getElementById('notice').getBoundingClientRect();"
                        + " return n.top >= s.bottom || n.bottom <= s.top || n.left >= s.right"
                        + " || n.right <= s.left"))
                .as("Sign out is not under the message")
                .isTrue();

        by("#notice-close").click();
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("notice-close")));
        assertThat(by("#edit-result").getText()).isEmpty();
    }

    /**
     * The uploads list drawn while an upload is being committed (a reload, another tab's commit) follows it: its status
     * and counts are drawn again until it is committed. The commit is held at the database's commit lock, which the
     * test holds, so that the list is surely drawn while it runs.
     */
    @Test
    void uploadsList_followsAnUploadCommittingWhenDrawn() throws Exception {
        String token = SERVER.clerkToken("follows");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(1700, 4)));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads");
        browser.signedIn("follows", "follows-password");
        By status = By.cssSelector("#uploads-table tr[data-id='" + id + "'] .badge");
        browser.text(status, "validated");
        CompletableFuture<HttpResponse<String>> commit;
        try (Connection c = DriverManager.getConnection(
                SERVER.config().jdbcUrl(),
                SERVER.config().dbUser(),
                SERVER.config().dbPassword())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT id FROM commit_lock WHERE id = 1 FOR UPDATE")
                        .close();
            }
            commit = CompletableFuture.supplyAsync(
                    () -> SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"all\"}"));
            browser.waiting()
                    .until(d -> "committing"
                            .equals(TestServer.json(SERVER.get("/api/v1/uploads/" + id, token))
                                    .get("status")
                                    .asText()));
            browser.driver().navigate().refresh();
            assertThat(browser.visible(status).getText())
                    .as("drawn while committing")
                    .isEqualTo("committing");
            c.rollback();
        }

        assertThat(commit.get().statusCode()).isEqualTo(200);
        browser.text(status, "committed");
        List<String> counts =
                browser.driver().findElements(By.cssSelector("#uploads-table tr[data-id='" + id + "'] td.num")).stream()
                        .map(WebElement::getText)
                        .toList();
        assertThat(counts).containsExactly(n(4), n(4), n(0));
    }

    /**
     * After signing in, and on opening a review, the focus is on the view's heading; a skip link goes past the chart
     * and the filters to the records; Leave out and Put back name their row.
     */
    @Test
    void keyboard_headingFocusedSkipLinkAndNamedRowButtons() {
        String token = SERVER.clerkToken("reader");
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(1500, 3)));
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads");
        browser.signedIn("reader", "reader-password");
        browser.waiting()
                .until(d -> "H1 Uploads"
                        .equals(browser.script(
                                "const a = document.activeElement; return a.tagName + ' ' + a.textContent")));

        browser.visible(By.cssSelector("#uploads-table a[href$='" + id + "']")).click();
        browser.visible(By.id("records-table"));
        browser.waiting().until(d -> "review-title".equals(browser.script("return document.activeElement.id")));
        browser.driver().switchTo().activeElement().sendKeys(Keys.TAB);
        WebElement skip = browser.driver().switchTo().activeElement();
        assertThat(skip.getAttribute("id")).isEqualTo("skip-records");
        assertThat(skip.getText()).isEqualTo("Skip to the records");
        skip.sendKeys(Keys.ENTER);
        browser.waiting().until(d -> "records".equals(browser.script("return document.activeElement.id")));
        assertThat(browser.driver().getCurrentUrl()).contains("#/uploads/" + id);

        assertThat(by("#exclude-3").getAttribute("aria-label")).isEqualTo("Leave out row 3");
        by("#exclude-3").click();
        browser.text(By.id("edit-saved"), "Row 3 is left out");
        browser.waiting().until(d -> "Put back row 3".equals(by("#exclude-3").getAttribute("aria-label")));
    }

    /**
     * A view the keyboard goes to puts the focus on its heading, as signing in does: a link of the top bar, "See the
     * saved users", Discard (the uploads list is shown), closing the commit result (the review stays, its Commit
     * button is gone). The focused heading shows no ring, the white one of the focus ring neither.
     */
    @Test
    void keyboard_headingFocusedOnEveryViewShown() {
        String discarded = twoOpened("wayfinder", 1600, 1610).second(); // the first is committed below
        headingFocused("review-title");

        browser.visible(By.id("commit-open")).sendKeys(Keys.ENTER);
        browser.visible(By.id("commit-confirm")).sendKeys(Keys.ENTER);
        browser.text(By.id("commit-outcome"), "Committed: 3 saved");
        by("#commit-confirm").sendKeys(Keys.ENTER);
        browser.visible(By.id("commit-state"));
        headingFocused("review-title");

        browser.visible(By.cssSelector("#commit-state a")).sendKeys(Keys.ENTER);
        headingFocused("Saved users");
        by("nav a[href='#/uploads']").sendKeys(Keys.ENTER);
        headingFocused("Uploads");
        by("nav a[href='#/users']").sendKeys(Keys.ENTER);
        headingFocused("Saved users");

        browser.script("location.hash = arguments[0]", "#/uploads/" + discarded);
        headingFocused("review-title");
        browser.visible(By.id("discard-open")).sendKeys(Keys.ENTER);
        browser.visible(By.id("discard-confirm")).sendKeys(Keys.ENTER);
        headingFocused("Uploads");
        assertThat(browser.script("const h = getComputedStyle(document.activeElement);"
                        + " return h.outlineStyle + ' ' + h.boxShadow"))
                .isEqualTo("none none");

        browser.open("/uploads");
        browser.signedIn(TestServer.ADMIN, TestServer.ADMIN_PASSWORD);
        headingFocused("Uploads");
        browser.visible(By.cssSelector("nav a[href='#/accounts']")).sendKeys(Keys.ENTER);
        headingFocused("Accounts");
    }

    /** Waits for the focus on the view's heading: the one with this id, or the one with this text. */
    private static void headingFocused(String idOrText) {
        browser.waiting().until(d -> (Boolean) browser.script(
                "const a = document.activeElement;"
                        + " return a.tagName === 'H1' && (a.id === arguments[0] || a.textContent === arguments[0])",
                idOrText));
    }

    /**
     * Runs {@code during} with the server's database in H2's exclusive mode, which pauses the statements of the
     * server's connections: a validation waits at its first registered-NID look-up, so an upload sent meanwhile stays
     * {@code validating} until {@code during} returns.
     */
    private static void validationHeld(Runnable during) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                        SERVER.config().jdbcUrl(),
                        SERVER.config().dbUser(),
                        SERVER.config().dbPassword());
                Statement s = c.createStatement()) {
            s.execute("SET EXCLUSIVE 1");
            try {
                during.run();
            } finally {
                s.execute("SET EXCLUSIVE 0");
            }
        }
    }

    /** A clerk's token and two validated uploads of theirs (3 and 2 records). */
    private record TwoUploads(String token, String first, String second) {}

    /**
     * {@code clerk}'s uploads of 3 records (people from {@code firstFrom}) and of 2 (from {@code secondFrom}), both
     * validated; the first's review open in the browser, signed in as {@code clerk}.
     */
    private static TwoUploads twoOpened(String clerk, int firstFrom, int secondFrom) {
        String token = SERVER.clerkToken(clerk);
        String first = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(firstFrom, 3)));
        String second = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(secondFrom, 2)));
        Workbooks.settled(SERVER, token, first);
        Workbooks.settled(SERVER, token, second);
        browser.open("/uploads/" + first);
        browser.signedIn(clerk, clerk + "-password");
        return new TwoUploads(token, first, second);
    }

    private static String statusOf(String id, String token) {
        return TestServer.json(SERVER.get("/api/v1/uploads/" + id, token))
                .get("status")
                .asText();
    }

    /** How many times the page has read the uploads list since it was loaded. */
    private static long listReads() {
        return (Long) browser.script("return performance.getEntriesByType('resource')"
                + ".filter(e => new URL(e.name).pathname === '/api/v1/uploads').length");
    }

    /**
     * An upload sent from the Uploads list is in the list at once, first, with its status and the rows read so far,
     * and the list is read again every second while it validates; then it shows validated.
     */
    @Test
    void uploadsList_showsAnUploadSentFromItWhileItValidates() throws Exception {
        String token = SERVER.clerkToken("lister");
        String old = Workbooks.accepted(SERVER, token, Workbooks.xlsx(Workbooks.people(2100, 2)));
        Workbooks.settled(SERVER, token, old);
        String path = file("held.xlsx", Workbooks.xlsx(Workbooks.people(2200, 3)));
        browser.open("/uploads");
        browser.signedIn("lister", "lister-password");
        browser.visible(By.cssSelector("#uploads-table tr[data-id='" + old + "']"));
        String[] held = new String[1];
        validationHeld(() -> {
            browser.visible(By.id("file-input")).sendKeys(path);
            WebElement row =
                    browser.visible(By.cssSelector("#uploads-table tbody tr:first-child:not([data-id='" + old + "'])"));
            held[0] = row.getAttribute("data-id");
            assertThat(statusOf(held[0], token)).isEqualTo("validating");
            assertThat(row.findElement(By.cssSelector("td")).getText()).isEqualTo("held.xlsx");
            assertThat(row.findElement(By.cssSelector(".badge")).getText()).isEqualTo("validating");
            assertThat(row.getText()).containsPattern("\\d+ rows? validated so far");
            long reads = listReads();
            browser.waiting().until(d -> listReads() >= reads + 2);
            assertThat(statusOf(held[0], token))
                    .as("read again while validating")
                    .isEqualTo("validating");
        });
        browser.text(By.cssSelector("#uploads-table tr[data-id='" + held[0] + "'] .badge"), "validated");
        assertThat(browser.driver().findElements(By.cssSelector("#uploads-table tbody tr")))
                .extracting(r -> r.getAttribute("data-id"))
                .containsExactly(held[0], old);
    }

    /**
     * The upload panel's "Sending" line lasts while the file is sent: then it says the file is validating, and once the
     * validation ended, or the file was refused, only what came of it shows.
     */
    @Test
    void uploadPanel_sendingEndsWhenTheFileIsSent() throws Exception {
        expectedStatuses = new int[] {400};
        SERVER.clerkToken("sender");
        String good = file("phase.xlsx", Workbooks.xlsx(Workbooks.people(2300, 2)));
        String bad = file(
                "refused.xlsx",
                Workbooks.xlsx(List.of(new String[] {"Full Name", "Sex"}, new String[] {"Ann Uwase", "F"})));
        browser.open("/uploads");
        browser.signedIn("sender", "sender-password");
        validationHeld(() -> {
            browser.visible(By.id("file-input")).sendKeys(good);
            browser.text(By.id("upload-phase"), "Validating phase.xlsx");
            assertThat(by("#upload-panel").getText()).doesNotContain("Sending");
        });
        browser.text(By.id("upload-done"), "phase.xlsx is validated: 2 records, 2 valid, 0 invalid.");
        assertThat(by("#upload-panel").getText()).doesNotContain("Sending").doesNotContain("Validating phase.xlsx");

        browser.visible(By.id("file-input")).sendKeys(bad);
        browser.visible(By.cssSelector("#upload-status .problem"));
        assertThat(by("#upload-status .problem-title").getText()).isEqualTo("refused.xlsx was not accepted.");
        assertThat(by("#upload-panel").getText()).doesNotContain("Sending");
    }

    /**
     * "Leave out all" and "Put back all" of a code are offered while the list shows records, not when it shows none;
     * "Put back all" only while records are left out.
     */
    @Test
    void review_leaveOutAllNotOfferedForAnEmptyList() {
        String id = reviewBad("nothing", 2400, 2, 2, "phone.invalid");
        assertThat(browser.visible(By.id("exclude-code")).getText()).isEqualTo("Leave out all phone.invalid");
        assertThat(by("#include-code").isDisplayed()).isFalse();
        by("#exclude-5").click();
        browser.text(By.id("card-excluded"), "1");
        assertThat(browser.visible(By.id("include-code")).getText()).isEqualTo("Put back all phone.invalid");

        browser.driver()
                .get(SERVER.uri("/#/uploads/" + id + "?status=valid&field=email&code=phone.invalid")
                        .toString());
        browser.visible(By.id("records-empty"));
        assertThat(browser.driver().findElements(By.cssSelector("#exclude-code, #include-code")))
                .isNotEmpty()
                .noneMatch(WebElement::isDisplayed);

        // a list of records again: offered again
        browser.driver()
                .get(SERVER.uri("/#/uploads/" + id + "?status=invalid&code=phone.invalid")
                        .toString());
        browser.visible(By.id("exclude-code"));
        assertThat(by("#include-code").isDisplayed()).isTrue();
    }

    /**
     * "Put back all" of a code none of whose records is left out (a record of another code is) says that nothing
     * changed, not that the records it matched are back; "Leave out all" of records one of which was left out
     * already counts those it left out.
     */
    @Test
    void review_bulkMessagesCountWhatChanged() {
        String id = reviewBad("bulkcount", 2500, 3, 2, "phone.invalid");
        String token = SERVER.clerkToken("bulkcount");
        SERVER.patchJson("/api/v1/uploads/" + id + "/records/2", token, "{\"nid\":\"12\",\"excluded\":true}");
        browser.driver().navigate().refresh();
        browser.text(By.id("card-excluded"), "1");

        browser.visible(By.id("include-code")).click();
        assertThat(browser.visible(By.cssSelector("dialog[open] form p")).getText())
                .startsWith("Of the 3 records shown with “")
                .endsWith("” (phone.invalid), each one left out will be put back into the commit.");
        by("#exclude-confirm").click();
        browser.text(By.id("edit-saved"), "(phone.invalid) was left out: nothing changed.");
        browser.text(By.id("edit-saved"), "No record with “");
        browser.text(By.id("card-excluded"), "1");

        by("#exclude-5").click();
        browser.text(By.id("card-excluded"), "2");
        browser.visible(By.id("exclude-code")).click();
        by("#exclude-confirm").click();
        browser.text(By.id("edit-saved"), "(phone.invalid) are left out.");
        browser.text(By.id("edit-saved"), "2 records with “");
        browser.text(By.id("card-excluded"), "4");
    }

    /** Opens the commit dialog and asserts what its two choices say, then cancels it. */
    private static void commitSays(String all, String validOnly) {
        by("#commit-open").click();
        browser.visible(By.cssSelector("dialog[open]"));
        assertThat(by("#commit-all-explain").getText()).isEqualTo(all);
        assertThat(by("#commit-valid-explain").getText()).isEqualTo(validOnly);
        by("#commit-cancel").click();
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog")));
    }

    /** The commit dialog counts what there is: a clause that would count no record ("the 0 invalid ones") is left out. */
    @Test
    void commitDialog_leavesOutClausesThatCountNone() {
        String token = SERVER.clerkToken("nonecounter");
        String id = reviewed("nonecounter", token, Workbooks.xlsx(Workbooks.people(2500, 3)));
        commitSays("3 records, all valid.", "Valid only: 3 saved.");

        assertThat(SERVER.patchJson("/api/v1/uploads/" + id + "/records/2", token, "{\"excluded\":true}")
                        .statusCode())
                .isEqualTo(200);
        commitSays(
                "2 of 3 records saved; the 1 left out is not saved and counts as skipped.",
                "Valid only: 2 saved; the 1 left out is skipped.");

        reviewed(
                "nonecounter",
                token,
                Workbooks.xlsx(List.of(Workbooks.HEADER, person(2510, 1, "123"), person(2511, 1, "12"))));
        commitSays(
                "2 records, all invalid: they are saved with their violations.",
                "Valid only: 0 saved; the 2 invalid ones are not saved.");
    }

    /**
     * With no invalid record, the report of invalid records would be a header alone: its downloads are not offered and
     * a note says why; the report of all records still downloads.
     */
    @Test
    void report_noInvalidRecordsSaysSo_allStillDownloads() throws IOException {
        reviewed("allgood", SERVER.clerkToken("allgood"), Workbooks.xlsx(Workbooks.people(2700, 2)));
        assertThat(browser.visible(By.id("report-none")).getText())
                .isEqualTo("No invalid records to report: the report of invalid records would be empty."
                        + " Choose “all records” to download every record.");
        assertThat(by("#report-csv").isEnabled()).isFalse();
        assertThat(by("#report-xlsx").isEnabled()).isFalse();

        Path report = Browser.DOWNLOADS.resolve("people-all.csv");
        Files.deleteIfExists(report);
        new org.openqa.selenium.support.ui.Select(by("#report-status")).selectByValue("all");
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("report-none")));
        assertThat(by("#report-xlsx").isEnabled()).isTrue();
        by("#report-csv").click();
        browser.waiting().until(d -> read(report).split("\r\n").length == 3);
    }

    /**
     * The review's head at a desktop's width: Commit and Discard keep a button's height beside the taller report
     * group, level with its download buttons, and the six cards of the totals share one line.
     */
    @Test
    void reviewHead_buttonsKeepTheirHeight_sixCardsOnOneLine() {
        // an invalid record: the report group, its select's label above it, stands beside the buttons
        List<String[]> rows = new ArrayList<>(Workbooks.people(7000, 3));
        rows.get(3)[1] = "123";
        reviewed("buttonheight", SERVER.clerkToken("buttonheight"), Workbooks.xlsx(rows));
        browser.driver().manage().window().setSize(new Dimension(1280, 900));
        browser.waiting().until(d -> (Long) browser.script("return window.innerWidth") == 1280);

        double report = by("#report-xlsx").getRect().getHeight();
        assertThat((double) by("#commit-open").getRect().getHeight())
                .as("the Commit button's height")
                .isCloseTo(report, Offset.offset(2.0));
        assertThat((double) by("#discard-open").getRect().getHeight())
                .as("the Discard button's height")
                .isCloseTo(report, Offset.offset(2.0));
        assertThat((double) by("#commit-open").getRect().getY())
                .as("the Commit button level with the download buttons")
                .isCloseTo(by("#report-xlsx").getRect().getY(), Offset.offset(2.0));
        browser.screenshot("review-head");
        @SuppressWarnings("unchecked")
        List<Long> tops = (List<Long>) browser.script(
                "return [...document.querySelectorAll('#summary-cards > .stat')].map((c) => c.offsetTop)");
        assertThat(tops).hasSize(6);
        assertThat(Set.copyOf(tops)).as("the cards' lines").hasSize(1);
    }

    /**
     * On a phone the uploads list shows an upload of a long name with its Review link in view, and the review's
     * records give an e-mail address room to be read (the records' box scrolls sideways).
     */
    @Test
    void phone_uploadsListReviewLinkInView_emailColumnReadable() {
        String token = SERVER.clerkToken("phonelist");
        String name = "Registrations_Gasabo_District_Kimironko_Sector_2026_second_quarter_final_version.xlsx";
        byte[] book = Workbooks.xlsx(Workbooks.people(7100, 3));
        HttpResponse<String> sent = SERVER.postMultipart("/api/v1/uploads", token, "file", name, book);
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        String id = TestServer.json(sent).get("id").asText();
        Workbooks.settled(SERVER, token, id);
        browser.open("/uploads");
        browser.driver().manage().window().setSize(new Dimension(390, 844));
        browser.signedIn("phonelist", "phonelist-password");

        WebElement review = browser.visible(By.id("review-" + id));
        assertThat((Boolean) browser.script(
                        "return arguments[0].getBoundingClientRect().right <= window.innerWidth", review))
                .as("the Review link is in view")
                .isTrue();
        assertNoSidewaysScrolling("uploads list");
        browser.screenshot("uploads-phone");

        review.click();
        browser.visible(By.id("records-table"));
        assertThat(by("#records-table td[data-field=email]").getRect().getWidth())
                .as("the e-mail column's width")
                .isGreaterThanOrEqualTo(140);
        assertNoSidewaysScrolling("review");
    }

    /**
     * An edit saved by Enter but refused, the upload committed meanwhile (by another tab): the review shows it
     * committed, and the keyboard goes on from its heading, not from the page's body.
     */
    @Test
    void cellEditor_saveRefusedAsCommittedMeanwhile_focusOnTheHeading() {
        expectedStatuses = new int[] {409};
        String token = SERVER.clerkToken("latecommit");
        String id = reviewed("latecommit", token, Workbooks.xlsx(Workbooks.people(7200, 3)));
        browser.script("arguments[0].focus()", by("#row-2 td[data-field=names]"));
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.visible(By.cssSelector("#row-2 td[data-field=names] .cell-input"))
                .sendKeys("x");
        assertThat(SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{\"records\":\"valid\"}")
                        .statusCode())
                .isEqualTo(200);

        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);

        browser.text(By.id("edit-result"), "This upload was already committed.");
        browser.text(By.id("review-status"), "committed");
        browser.visible(By.cssSelector("#row-2 td[data-field=names]:not([tabindex])"));
        assertThat(browser.driver().switchTo().activeElement().getAttribute("id"))
                .isEqualTo("review-title");
    }

    /**
     * Sign out pressed while a cell is being edited saves the value typed, and shows the sign-in form as an ordinary
     * Sign out does: the review, no longer signed in, does not read its summary again, nor takes the refusal for a
     * session that ended.
     */
    @Test
    void signOut_whileEditing_savesTheEditAndSaysNoSessionEnded() {
        String token = SERVER.clerkToken("signoutedit");
        String id = reviewed("signoutedit", token, Workbooks.xlsx(Workbooks.people(7300, 3)));
        by("#row-2 td[data-field=names]").click();
        browser.visible(By.cssSelector("#row-2 td[data-field=names] .cell-input"))
                .sendKeys("Ann Other");
        // the page's requests of the upload, each until its answer is read: the page acts on an answer in the same
        // task as it reads it, so that none pending means the page did all it does with them
        browser.script("window.uploadCalls = { pending: 0, patched: false };"
                + " const f = window.fetch;"
                + " window.fetch = (url, init) => {"
                + "   if (!String(url).includes('/api/v1/uploads/')) return f(url, init);"
                + "   uploadCalls.pending++;"
                + "   const done = () => { uploadCalls.pending--;"
                + "     if (init && init.method === 'PATCH') uploadCalls.patched = true; };"
                + "   return f(url, init).then((res) => { const json = res.json.bind(res);"
                + "     res.json = () => json().finally(done); return res; }, (e) => { done(); throw e; });"
                + " };");

        by("#sign-out").click();

        browser.visible(By.id("login-username"));
        browser.waiting()
                .until(d -> (Boolean) browser.script("return uploadCalls.patched && uploadCalls.pending === 0"));
        assertThat(by("#login-message").getText()).isEmpty();
        assertThat(TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/2", token))
                        .get("names")
                        .asText())
                .isEqualTo("Ann Other");
    }

    /** A long value (an e-mail over several lines of its cell) shows whole in the cell's editor, which wraps it. */
    @Test
    void cellEditor_longValueShownWhole() {
        String token = SERVER.clerkToken("longedit");
        String email =
                "marie.claire.mukeshimana.nyirahabimana" + "@" + "ministry-of-local-government-and-social-affairs"
                        + ".districts-of-the-southern-province-and-kigali.example.gov.rw";
        assertThat(email).hasSizeGreaterThan(140);
        List<String[]> rows = new ArrayList<>(Workbooks.people(7400, 2));
        rows.add(person(7402, 4, email));
        reviewed("longedit", token, Workbooks.xlsx(rows));
        WebElement cell = by("#row-4 td[data-field=email]");
        long cellHeight = (Long) browser.script("return Math.round(arguments[0].getBoundingClientRect().height)", cell);
        assertThat(cellHeight).as("the value wraps in its cell").isGreaterThan(60);

        cell.click();
        WebElement editor = browser.visible(By.cssSelector("#row-4 td[data-field=email] .cell-input"));
        browser.screenshot("cell-editor-long-value");
        assertThat(editor.getDomProperty("value")).isEqualTo(email);
        assertThat((Boolean) browser.script("return arguments[0].scrollHeight <= arguments[0].clientHeight", editor))
                .as("no line of the value is scrolled out of the editor")
                .isTrue();
        assertThat(editor.getRect().getHeight()).isGreaterThanOrEqualTo((int) cellHeight - 16);
        assertThat(editor.getRect().getWidth()).isGreaterThan(180);
        // Escape cancels, Enter saves, as in a one-line editor
        editor.sendKeys(Keys.ESCAPE);
        browser.text(By.cssSelector("#row-4 td[data-field=email] .cell-value"), email);
        cell.click();
        browser.visible(By.cssSelector("#row-4 td[data-field=email] .cell-input"))
                .sendKeys(Keys.chord(Keys.CONTROL, Keys.HOME), "x", Keys.ENTER);
        browser.text(By.id("edit-saved"), "Row 4 saved: now Valid.");
    }

    /**
     * A field without an error shows its normalized value, what a commit saves, and says the value as written on
     * hover (its title); a field with an error shows its value as written. The editor starts with the value shown,
     * and saving it unchanged edits nothing.
     */
    @Test
    void review_validFieldsShowTheirNormalizedValue() {
        String token = SERVER.clerkToken("shownorm");
        String[] raw = {"  Ann   Uwase ", Workbooks.person(7500)[1], "0780007500", "male", "P7500@EXAMPLE.COM"};
        String id =
                reviewed("shownorm", token, Workbooks.xlsx(List.of(Workbooks.HEADER, raw, person(7501, 2, "0780"))));

        Map<String, String> expected = Map.of(
                "names", "Ann Uwase",
                "nid", raw[1],
                "phone_number", "+250780007500",
                "gender", "M",
                "email", "P7500@example.com");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            WebElement cell = by("#row-2 td[data-field=" + e.getKey() + "]");
            assertThat(cell.findElement(By.cssSelector(".cell-value")).getText())
                    .isEqualTo(e.getValue());
        }
        assertThat(by("#row-2 td[data-field=phone_number]").getAttribute("title"))
                .startsWith("As written: 0780007500");
        assertThat(by("#row-2 td[data-field=gender]").getAttribute("title")).startsWith("As written: male");
        assertThat(by("#row-2 td[data-field=nid]").getAttribute("title")).doesNotContain("As written");
        // an error: the value as written
        assertThat(by("#row-3 td[data-field=phone_number] .cell-value").getText())
                .isEqualTo("0780");

        by("#row-2 td[data-field=phone_number]").click();
        enterEditsNothing(id, token, "phone_number", "+250780007500", "phoneNumber", "0780007500");
    }

    /**
     * In a committed upload, whose cells are not editable, a normalized value still says its value as written to the
     * keyboard: the cell takes the focus, which shows the value as written; a cell whose value is as written does not.
     */
    @Test
    void review_committedUpload_theValueAsWrittenShowsOnFocus() {
        String token = SERVER.clerkToken("committednorm");
        String[] raw = {"Ann Uwase", Workbooks.person(7700)[1], "0780007700", "M", "p7700@example.com"};
        String id = Workbooks.accepted(SERVER, token, Workbooks.xlsx(List.of(Workbooks.HEADER, raw)));
        Workbooks.settled(SERVER, token, id);
        assertThat(SERVER.postJson("/api/v1/uploads/" + id + "/commit", token, "{}")
                        .statusCode())
                .isEqualTo(200);
        browser.open("/uploads/" + id);
        browser.signedIn("committednorm", "committednorm-password");
        browser.text(By.id("review-status"), "committed");

        WebElement phone = by("#row-2 td[data-field=phone_number]");
        assertThat(phone.getAttribute("tabindex")).isEqualTo("0");
        WebElement tip = phone.findElement(By.cssSelector(".tip"));
        assertThat(tip.isDisplayed()).isFalse();
        browser.script("arguments[0].focus()", phone);
        assertThat(browser.visible(By.cssSelector("#row-2 td[data-field=phone_number] .tip"))
                        .getText())
                .isEqualTo("As written: 0780007700");
        assertThat(browser.driver().findElement(By.id(phone.getAttribute("aria-describedby"))))
                .isEqualTo(tip);
        browser.visible(By.cssSelector("#row-2 td[data-field=names]:not([tabindex]):not([aria-describedby])"));
    }

    /**
     * Enter in the open editor of row 2's {@code field}, which shows {@code value}, left: nothing is edited, the
     * record's {@code property} is still {@code raw}.
     */
    private static void enterEditsNothing(
            String id, String token, String field, String value, String property, String raw) {
        String cell = "#row-2 td[data-field=" + field + "]";
        WebElement editor = browser.visible(By.cssSelector(cell + " .cell-input"));
        assertThat(editor.getDomProperty("value")).isEqualTo(value);
        editor.sendKeys(Keys.ENTER);
        browser.visible(By.cssSelector(cell + " .cell-value"));
        JsonNode untouched = TestServer.json(SERVER.get("/api/v1/uploads/" + id + "/records/2", token));
        assertThat(untouched.get(property).asText()).isEqualTo(raw);
        assertThat(untouched.get("edited").asBoolean()).isFalse();
        assertThat(untouched.get("history")).isEmpty();
    }

    /**
     * Escape hides every tip shown, the tip of the cell under the pointer too, which covers the next rows (WCAG
     * 1.4.13): until the pointer leaves that cell and comes back, and the focus leaves the focused one.
     */
    @Test
    void cellTip_escapeHidesTheTipOfTheCellUnderThePointerToo() {
        String token = SERVER.clerkToken("hoveresc");
        List<String[]> rows = new ArrayList<>();
        rows.add(Workbooks.HEADER);
        for (int i = 0; i < 8; i++) {
            rows.add(person(7600 + i, 2, "12"));
        }
        reviewed("hoveresc", token, Workbooks.xlsx(rows));
        WebElement focused = by("#row-3 td[data-field=phone_number]");
        WebElement hovered = by("#row-6 td[data-field=phone_number]");
        WebElement focusedTip = focused.findElement(By.cssSelector(".tip"));
        WebElement hoveredTip = hovered.findElement(By.cssSelector(".tip"));
        org.openqa.selenium.interactions.Actions mouse = new org.openqa.selenium.interactions.Actions(browser.driver());
        browser.script("arguments[0].scrollIntoView({block: 'center'})", hovered);

        // the pointer alone: Escape, wherever the focus is, hides the tip under it
        mouse.moveToElement(hovered).perform();
        browser.waiting().until(ExpectedConditions.visibilityOf(hoveredTip));
        mouse.sendKeys(Keys.ESCAPE).perform();
        browser.waiting().until(ExpectedConditions.invisibilityOf(hoveredTip));
        // shown again once the pointer left the cell and came back
        mouse.moveToElement(by("#row-6 td[data-field=names]")).perform();
        mouse.moveToElement(hovered).perform();
        browser.waiting().until(ExpectedConditions.visibilityOf(hoveredTip));

        // one cell focused, another under the pointer: Escape hides both tips
        browser.script("arguments[0].focus()", focused);
        browser.waiting().until(ExpectedConditions.visibilityOf(focusedTip));
        focused.sendKeys(Keys.ESCAPE);
        browser.waiting().until(ExpectedConditions.invisibilityOf(focusedTip));
        browser.waiting().until(ExpectedConditions.invisibilityOf(hoveredTip));
        assertThat(browser.driver().switchTo().activeElement()).isEqualTo(focused);
        mouse.moveToElement(by("#row-6 td[data-field=names]")).perform();
        mouse.moveToElement(hovered).perform();
        browser.waiting().until(ExpectedConditions.visibilityOf(hoveredTip));
        assertThat(focusedTip.isDisplayed())
                .as("hidden until the focus leaves its cell")
                .isFalse();
    }

    /**
     * WCAG's use of colour and non-text contrasts: the chart tells a warning's bar in words too (1.4.1), its bar and the
     * fields' borders stand out 3:1 (1.4.11); a tip has an edge that forced colours draw.
     */
    @Test
    void a11y_warningBarsInWords_contrastingBorders_tipsWithAnEdge() {
        String token = SERVER.clerkToken("contraster");
        List<String[]> rows = new ArrayList<>();
        rows.add(Workbooks.HEADER);
        for (int i = 0; i < 8; i++) {
            rows.add(person(7800 + i, 2, "12"));
        }
        reviewed("contraster", token, Workbooks.xlsxNumberNids(rows));

        WebElement warning = browser.visible(By.id("bar-nid-numeric_cell"));
        assertThat(warning.getText()).startsWith("Warning:");
        assertThat(warning.getAttribute("aria-label"))
                .startsWith("Warning: ")
                .isEqualTo(((String) browser.script("return arguments[0].textContent", warning))
                        .replaceAll("\\s+", " ")
                        .strip());
        assertThat(by("#bar-phone-invalid").getText()).doesNotContain("Warning");
        String ground = "rgb(255, 255, 255) "
                + browser.script("return getComputedStyle(document.documentElement).backgroundColor");
        assertThat(contrast(browser.script(
                                "return getComputedStyle(arguments[0]).fill",
                                warning.findElement(By.cssSelector("rect")))
                        + " " + ground))
                .isGreaterThanOrEqualTo(3.0);
        String border =
                (String) browser.script("return getComputedStyle(arguments[0]).borderTopColor", by("#jump-row"));
        assertThat(contrast(border + " rgb(255, 255, 255)")).isGreaterThanOrEqualTo(3.0);
        assertThat(contrast(border + " "
                        + browser.script("return getComputedStyle(document.documentElement).backgroundColor")))
                .isGreaterThanOrEqualTo(3.0);

        WebElement cell = by("#row-3 td[data-field=phone_number]");
        WebElement tip = cell.findElement(By.cssSelector(".tip"));
        browser.script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()", cell);
        browser.waiting().until(ExpectedConditions.visibilityOf(tip));
        assertThat(browser.script("return getComputedStyle(arguments[0]).borderTopStyle", tip))
                .isEqualTo("solid");
        assertThat(browser.script("return getComputedStyle(arguments[0]).borderTopWidth", tip))
                .isEqualTo("1px");
    }
}
