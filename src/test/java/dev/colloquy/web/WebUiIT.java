package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real headless Chromium (Debian's {@code chromium}, driven through its {@code
 * chromedriver}; nothing downloads a browser): sign up, a streamed answer from the test upstream that
 * survives a reload, hostile Markdown that cannot run, a document upload and a cited answer whose
 * passage opens, the phone layout, sign out. Screenshots land in {@code target/ui/}. Without Chromium
 * the test is skipped, except under CI, where it fails.
 */
class WebUiIT extends IntegrationTest {

    static final Path SCREENSHOTS = Path.of("target", "ui");

    private final FakeUpstream upstream = FakeUpstream.get();

    @org.springframework.beans.factory.annotation.Autowired
    private org.springframework.jdbc.core.simple.JdbcClient jdbc;

    private ChromeDriver browser;
    private WebDriverWait wait;
    private Path profile;

    @BeforeEach
    void openBrowser() throws IOException {
        boolean installed = HeadlessChromium.installed();
        Assumptions.assumeTrue(
                installed || "true".equals(System.getenv("CI")),
                "chromium and chromium-driver (Debian packages) are not installed: the browser test is left out");
        assertThat(installed)
                .as("CI must run the browser test: install the Debian packages chromium and chromium-driver")
                .isTrue();
        browser = startChromium();
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // a list the page redraws while a condition is checked is checked again
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void aUserChatsWithStreamingUploadsADocumentGetsACitedAnswerAndSignsOut() throws Exception {
        browser.get(base() + "/");
        signUp();
        assertThat(severeBrowserLogs()).as("console errors on first load").isEmpty();

        // a streamed answer from the test upstream, shown while it arrives
        upstream.script(
                "test-model",
                Reply.slowChunks(
                        Duration.ofMillis(250), "Streaming ", "answers ", "arrive ", "**token** ", "by ", "token."));
        new Select(byId("new-model")).selectByValue("test-model");
        assertThat(byId("local-banner").isDisplayed()).isFalse();
        byId("new-conversation").click();
        wait.until(ExpectedConditions.urlMatches("#/c/[0-9a-f-]{36}$"));
        var conversationUrl = browser.getCurrentUrl();
        ask("How do answers arrive?");
        var partial = wait.until(d -> {
            var text = d.findElements(By.cssSelector(".message.assistant.streaming .body")).stream()
                    .map(WebElement::getText)
                    .findFirst()
                    .orElse("");
            return text.contains("Streaming") ? text : null;
        });
        assertThat(partial).as("tokens are shown before the answer is complete").doesNotContain("token.");
        assertThat(byId("stop").isDisplayed()).isTrue();
        var answer = lastAnswer();
        wait.until(d -> !answer.getAttribute("class").contains("streaming"));
        assertThat(answer.findElement(By.cssSelector(".body")).getText())
                .isEqualTo("Streaming answers arrive token by token.");
        assertThat(answer.findElement(By.cssSelector(".body strong")).getText())
                .as("Markdown is rendered")
                .isEqualTo("token");
        var meta = answer.findElement(By.cssSelector(".meta")).getText();
        assertThat(meta).contains("Model: test-model").contains("Cost: $").doesNotContain("From the cache");
        wait.until(d -> byId("conversation-title").getText().equals("How do answers arrive?"));
        assertThat(conversationTitles())
                .as("the first message names the conversation")
                .containsExactly("How do answers arrive?");
        screenshot("main-screen.png");

        // the answer survives a reload
        browser.navigate().refresh();
        wait.until(d -> d.findElements(By.cssSelector("#messages .message")).size() == 2);
        assertThat(browser.getCurrentUrl()).isEqualTo(conversationUrl);
        assertThat(byCss("#messages .message.user").getText()).isEqualTo("How do answers arrive?");
        assertThat(lastAnswer().getText()).contains("Streaming answers arrive token by token.", "Model: test-model");

        // model output cannot run script: tags and handlers are dropped, links to javascript: too
        upstream.script(
                "test-model",
                Reply.stream(
                        "<img src=\"/x\" onerror=\"window.pwned=1\">",
                        "<script>window.pwned=2</script>",
                        "[click](javascript:window.pwned=3) ",
                        "<a href=\"#\" onclick=\"window.pwned=4\">x</a> done"));
        ask("Say something hostile");
        wait.until(d -> lastAnswer().getText().contains("done")
                && !lastAnswer().getAttribute("class").contains("streaming"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined"))
                .isEqualTo(true);
        assertThat(lastAnswer().findElements(By.cssSelector("script, [onerror], [onclick]")))
                .isEmpty();
        assertThat(lastAnswer().findElements(By.cssSelector("a[href^='javascript']")))
                .isEmpty();

        // a document: upload, live status until ready
        var handbook = Files.createTempFile(profile, "handbook", ".md");
        try (var in = getClass().getResourceAsStream("/documents/handbook.md")) {
            Files.write(handbook, in.readAllBytes());
        }
        byCss("[data-nav=documents]").click();
        byId("upload-file").sendKeys(handbook.toAbsolutePath().toString());
        byCss("#upload button[type=submit]").click();
        wait.until(d -> d.findElements(By.cssSelector("#documents tr[data-status=ready]"))
                        .size()
                == 1);
        assertThat(byCss("#documents tr[data-status=ready]").getText())
                .contains(handbook.getFileName().toString(), "ready");

        // a cited answer from the built-in model, whose citation opens the passage
        byCss("[data-nav=chat]").click();
        new Select(byId("new-model")).selectByValue("local");
        byId("new-conversation").click();
        wait.until(d -> byId("local-banner").isDisplayed());
        ask("How long are backups kept?");
        var citation = wait.until(d -> lastAnswer().findElements(By.cssSelector(".citations button.cited")).stream()
                .filter(button -> button.getText().contains("Backups"))
                .findFirst()
                .orElse(null));
        assertThat(citation.getText()).contains(handbook.getFileName().toString());
        citation.click();
        wait.until(d -> byId("passage-text").getText().contains("kept for 35 days"));
        assertThat(byId("passage").getAttribute("open")).isNotNull();
        byCss("#passage button[type=submit]").click();
        wait.until(d -> byId("passage").getAttribute("open") == null);
        browser.navigate().refresh();
        wait.until(d -> d.findElements(By.cssSelector("#messages .message")).size() == 2);
        assertThat(lastAnswer().findElements(By.cssSelector(".citations button.cited")))
                .as("citations survive a reload")
                .anyMatch(button -> button.getText().contains("Backups"));

        // search finds the first conversation's answer
        byId("search-q").sendKeys("arrive\n");
        var hit = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#search-results a")));
        assertThat(hit.getText()).contains("arrive");

        // phone width: no sideways scrolling, and the conversation list behind its button
        browser.manage().window().setSize(new Dimension(390, 844));
        wait.until(d -> byId("menu").isDisplayed());
        assertThat(((JavascriptExecutor) browser)
                        .executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
                .isEqualTo(true);
        assertThat(byId("sidebar").isDisplayed()).isFalse();
        byId("menu").click();
        assertThat(byId("sidebar").isDisplayed()).isTrue();
        screenshot("phone-conversations.png");
        byId("menu").click();
        browser.manage().window().setSize(new Dimension(1280, 900));

        // sign out: the token is gone, a reload shows the sign-in form
        byId("sign-out").click();
        wait.until(d -> byId("sign-in").isDisplayed());
        assertThat(((JavascriptExecutor) browser).executeScript("return localStorage.getItem('colloquy.token')"))
                .isNull();
        browser.navigate().refresh();
        wait.until(d -> byId("sign-in").isDisplayed());
        assertThat(byId("app").isDisplayed()).isFalse();
    }

    @Test
    void aWrongPasswordAndAShortOneAreExplained() {
        var account = api().register();
        browser.get(base() + "/");
        wait.until(d -> byId("sign-in").isDisplayed());
        byId("sign-in-email").sendKeys(account.email());
        byId("sign-in-password").sendKeys("not the password");
        byCss("#sign-in button[type=submit]").click();
        wait.until(d -> !byCss("#sign-in [data-error]").getText().isEmpty());
        assertThat(byId("app").isDisplayed()).isFalse();

        byCss("[data-show=sign-up]").click();
        byId("sign-up-name").sendKeys("Short");
        byId("sign-up-email").sendKeys("short-" + UUID.randomUUID() + "@colloquy.test");
        byId("sign-up-password").sendKeys("short");
        byCss("#sign-up button[type=submit]").click();
        wait.until(d -> byCss("#sign-up [data-error]").getText().contains("password"));
        assertThat(byId("app").isDisplayed()).isFalse();
    }

    @Test
    void anAdminApprovesAWaitingAccountAndGivesItABudgetFromTheAdminPage() throws Exception {
        var admin = api().admin();
        var waiting = api().register();
        jdbc.sql("update users set status = 'PENDING' where id = :id")
                .param("id", waiting.id())
                .update();
        browser.get(base() + "/");
        wait.until(d -> byId("sign-in").isDisplayed());
        byId("sign-in-email").sendKeys(admin.email());
        byId("sign-in-password").sendKeys("correct horse battery");
        byCss("#sign-in button[type=submit]").click();
        wait.until(d -> byId("app").isDisplayed());

        byCss("[data-nav=admin]").click();
        wait.until(d -> byId("admin-view").isDisplayed());
        byId("admin-q").sendKeys(waiting.email());
        byCss("#admin-filter button[type=submit]").click();
        var row = "tr[data-account='" + waiting.id() + "']";
        wait.until(d -> byCss(row + " [data-status]").getText().equals("waiting for approval"));
        browser.findElements(By.cssSelector(row + " button")).stream()
                .filter(button -> button.getText().equals("Approve"))
                .findFirst()
                .orElseThrow()
                .click();
        wait.until(d -> byCss(row + " [data-status]").getText().equals("active"));
        browser.findElements(By.cssSelector(row + " button")).stream()
                .filter(button -> button.getText().equals("Budget and models"))
                .findFirst()
                .orElseThrow()
                .click();
        wait.until(d -> byId("limits").isDisplayed());
        byId("limits-budget").sendKeys("5");
        byCss("#limits-models input[value=test-model]").click();
        byCss("#limits-form button[value=save]").click();
        wait.until(d -> byCss(row).getText().contains("$5.0000 a month · test-model"));
        screenshot("admin.png");

        var me = api().get("/api/me", waiting.token()).json();
        assertThat(me.path("status").asString()).isEqualTo("ACTIVE");
        assertThat(me.path("models").toString()).isEqualTo("[\"test-model\"]");
        assertThat(byId("audit").getText()).contains("account.entitlements_changed", "account.approved");
        assertThat(severeBrowserLogs()).isEmpty();
    }

    @Test
    void anInviteLinkOpensTheSignUpFormWithItsCode() {
        browser.get(base() + "/#invite=cqi_example-code");

        wait.until(d -> byId("sign-up").isDisplayed());

        assertThat(byId("sign-up-invite").getAttribute("value")).isEqualTo("cqi_example-code");
        assertThat(browser.getCurrentUrl()).doesNotContain("invite");
        assertThat(byCss("[data-nav=admin]").isDisplayed()).isFalse();
    }

    /**
     * Code in an answer is highlighted and copied with its button, the answer with its own; the page
     * follows the system's dark mode until a theme is chosen, which a reload keeps; the keyboard
     * shortcuts open their list, start a conversation, focus the message box and stop an answer.
     */
    @Test
    void codeIsHighlightedAndCopiedThePageFollowsDarkModeAndTheShortcutsWork() throws Exception {
        browser.executeCdpCommand(
                "Browser.grantPermissions",
                java.util.Map.of("permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        browser.executeCdpCommand(
                "Emulation.setEmulatedMedia",
                java.util.Map.of(
                        "features", List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "dark"))));
        browser.get(base() + "/");
        signUp();
        assertThat(background("html")).as("the system's dark mode").isEqualTo("rgb(17, 24, 39)");
        assertThat(((JavascriptExecutor) browser)
                        .executeScript("return document.querySelectorAll('script[src*=highlight]').length"))
                .as("the highlighter is not loaded before an answer shows code")
                .isEqualTo(0L);

        var code = "public final class Hello {\n    String greet() { return \"hello\"; }\n}";
        upstream.script("test-model", Reply.stream("Here it is:\n\n```java\n", code, "\n```\n"));
        new Select(byId("new-model")).selectByValue("test-model");
        byId("new-conversation").click();
        wait.until(ExpectedConditions.urlMatches("#/c/[0-9a-f-]{36}$"));
        ask("Show me a class");
        var answer = lastAnswer();
        wait.until(d -> !answer.getAttribute("class").contains("streaming"));
        wait.until(d -> !answer.findElements(By.cssSelector("pre code.language-java .hljs-keyword"))
                .isEmpty());
        assertThat(answer.findElements(By.cssSelector("pre code.language-java .hljs-keyword")))
                .extracting(WebElement::getText)
                .contains("public", "class", "return");
        assertThat(answer.findElement(By.cssSelector(".hljs-string")).getText()).isEqualTo("\"hello\"");
        assertThat(severeBrowserLogs()).as("no Trusted Types or CSP violation").isEmpty();
        screenshot("code-dark.png");

        answer.findElement(By.cssSelector(".code .copy")).click();
        wait.until(
                d -> answer.findElement(By.cssSelector(".code .copy")).getText().equals("Copied"));
        assertThat(clipboard()).isEqualTo(code);
        answer.findElement(By.cssSelector(".meta .copy")).click();
        wait.until(
                d -> answer.findElement(By.cssSelector(".meta .copy")).getText().equals("Copied"));
        assertThat(clipboard()).isEqualTo("Here it is:\n\n```java\n" + code + "\n```\n");

        // a chosen theme wins over the system's and survives a reload
        new Select(byId("theme")).selectByValue("light");
        assertThat(background("html")).isEqualTo("rgb(255, 255, 255)");
        browser.navigate().refresh();
        wait.until(d -> byId("app").isDisplayed());
        assertThat(background("html")).isEqualTo("rgb(255, 255, 255)");
        assertThat(new Select(byId("theme")).getFirstSelectedOption().getText()).isEqualTo("Light");
        screenshot("code-light.png");
        new Select(byId("theme")).selectByValue("");
        assertThat(background("html")).isEqualTo("rgb(17, 24, 39)");

        // the shortcuts: their list, a new conversation, focus, stop
        var keys = new org.openqa.selenium.interactions.Actions(browser);
        byCss("body").click();
        keys.keyDown(org.openqa.selenium.Keys.CONTROL)
                .sendKeys("/")
                .keyUp(org.openqa.selenium.Keys.CONTROL)
                .perform();
        wait.until(d -> byId("shortcuts").getAttribute("open") != null);
        assertThat(byId("shortcuts").getText()).contains("New conversation", "Stop generating");
        screenshot("shortcuts-dark.png");
        keys.sendKeys(org.openqa.selenium.Keys.ESCAPE).perform();
        wait.until(d -> byId("shortcuts").getAttribute("open") == null);

        keys.keyDown(org.openqa.selenium.Keys.CONTROL)
                .keyDown(org.openqa.selenium.Keys.SHIFT)
                .sendKeys("o")
                .keyUp(org.openqa.selenium.Keys.SHIFT)
                .keyUp(org.openqa.selenium.Keys.CONTROL)
                .perform();
        wait.until(d -> byId("conversation-title").getText().equals("Start a conversation"));
        assertThat(browser.getCurrentUrl()).endsWith("#/");
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("composer-text");

        byCss("body").click();
        keys.keyDown(org.openqa.selenium.Keys.SHIFT)
                .sendKeys(org.openqa.selenium.Keys.ESCAPE)
                .keyUp(org.openqa.selenium.Keys.SHIFT)
                .perform();
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("composer-text");

        upstream.script(
                "test-model",
                Reply.slowChunks(Duration.ofMillis(400), "one ", "two ", "three ", "four ", "five ", "six"));
        new Select(byId("new-model")).selectByValue("test-model");
        ask("Count slowly");
        var counting = lastAnswer();
        wait.until(d -> counting.getText().contains("one"));
        byCss("body").click();
        keys.sendKeys(org.openqa.selenium.Keys.ESCAPE).perform();
        wait.until(d -> counting.getText().contains("Stopped: the partial answer is kept"));
        assertThat(counting.findElement(By.cssSelector(".body")).getText()).doesNotContain("six");
    }

    private String background(String css) {
        return (String) ((JavascriptExecutor) browser)
                .executeScript("return getComputedStyle(document.querySelector(arguments[0])).backgroundColor", css);
    }

    private String clipboard() {
        return (String) ((JavascriptExecutor) browser)
                .executeAsyncScript(
                        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('failed: ' + e))");
    }

    private void signUp() {
        wait.until(d -> byId("sign-in").isDisplayed());
        byCss("[data-show=sign-up]").click();
        byId("sign-up-name").sendKeys("Browser User");
        byId("sign-up-email").sendKeys("browser-" + UUID.randomUUID() + "@colloquy.test");
        byId("sign-up-password").sendKeys("correct horse battery");
        byCss("#sign-up button[type=submit]").click();
        wait.until(d -> byId("app").isDisplayed());
        assertThat(byId("who").getText()).isEqualTo("Browser User");
        assertThat(byId("local-banner").isDisplayed())
                .as("the tests' default model is the built-in one")
                .isTrue();
    }

    private void ask(String question) {
        int before = browser.findElements(By.cssSelector("#messages .message.assistant"))
                .size();
        var composer = byId("composer-text");
        composer.sendKeys(question);
        composer.sendKeys("\n");
        wait.until(d ->
                d.findElements(By.cssSelector("#messages .message.assistant")).size() == before + 1);
    }

    private WebElement lastAnswer() {
        var answers = browser.findElements(By.cssSelector("#messages .message.assistant"));
        return answers.getLast();
    }

    private List<String> conversationTitles() {
        return browser.findElements(By.cssSelector("#conversations li")).stream()
                .map(WebElement::getText)
                .toList();
    }

    private List<LogEntry> severeBrowserLogs() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .toList();
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }

    private WebElement byId(String id) {
        return browser.findElement(By.id(id));
    }

    private WebElement byCss(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private ChromeDriver startChromium() throws IOException {
        profile = Files.createTempDirectory("chromium-profile");
        return HeadlessChromium.start(profile);
    }
}
