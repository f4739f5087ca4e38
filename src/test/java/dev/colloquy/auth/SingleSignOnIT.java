package dev.colloquy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.colloquy.Api;
import dev.colloquy.TestDatabase;
import dev.colloquy.web.HeadlessChromium;
import idp.TestIdentityProvider;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Single sign-on against a real OpenID provider started in the test ({@link TestIdentityProvider}):
 * the authorization code flow with PKCE driven over HTTP as a browser would (redirects, cookies, the
 * provider's login form), including a wrong {@code state}, an ID token for another audience, an
 * expired one and an unverified email; and once in a real browser through the web UI. On an
 * installation of its own (a fresh database, sign-up by approval for one domain, no admin emails),
 * like {@code SignupPolicyIT}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "colloquy.cursors.secret=integration-tests-cursor-secret-0123456789",
            "colloquy.auth.signup=approval",
            "colloquy.auth.signup-domains=colloquy.test",
            "colloquy.auth.sso.test-idp.admin-values=colloquy-admins",
            "spring.security.oauth2.client.registration.test-idp.client-id=" + TestIdentityProvider.CLIENT_ID,
            "spring.security.oauth2.client.registration.test-idp.client-secret=" + TestIdentityProvider.CLIENT_SECRET,
            "spring.security.oauth2.client.registration.test-idp.client-name=Test IdP",
            "spring.security.oauth2.client.registration.test-idp.scope=openid,email,profile"
        })
@DirtiesContext
class SingleSignOnIT {

    private static final String SCRATCH = TestDatabase.get().createScratch("colloquy_sso");
    private static final TestIdentityProvider.Running PROVIDER = TestIdentityProvider.start();
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static Api.Account operator;

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> TestDatabase.get().dropScratch(SCRATCH), "drop-sso-database"));
    }

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void ownInstallationAndProvider(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> SCRATCH);
        registry.add("spring.datasource.username", () -> TestDatabase.get().user());
        registry.add("spring.security.oauth2.client.provider.test-idp.issuer-uri", PROVIDER::issuer);
    }

    @AfterAll
    static void stopProvider() {
        PROVIDER.close();
    }

    private Api api() {
        return new Api("http://127.0.0.1:" + port);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    @BeforeEach
    void theOperatorSignsUpFirst() {
        synchronized (SingleSignOnIT.class) {
            if (operator == null) {
                operator = api().register("operator@colloquy.test");
            }
        }
    }

    @Test
    void theSignInPageListsTheProviderAndTheFlowUsesPkce() throws Exception {
        var providers = api().get("/api/auth/providers", null).json().path("items");
        var browser = new Browser();
        var toProvider = browser.get(base() + "/oauth2/authorization/test-idp");
        var location = toProvider.headers().firstValue("location").orElseThrow();

        assertThat(providers.size()).isEqualTo(1);
        assertThat(providers.get(0).path("name").asString()).isEqualTo("Test IdP");
        assertThat(providers.get(0).path("url").asString()).isEqualTo("/oauth2/authorization/test-idp");
        assertThat(toProvider.statusCode()).isEqualTo(302);
        assertThat(location).startsWith(PROVIDER.issuer() + "/oauth2/authorize?");
        assertThat(location).contains("code_challenge=", "code_challenge_method=S256", "nonce=", "state=");
        assertThat(toProvider.headers().allValues("set-cookie"))
                .anyMatch(cookie -> cookie.startsWith("colloquy_sso=") && cookie.contains("HttpOnly"));
    }

    @Test
    void aNewPersonGetsAnAccountThatWaitsForApprovalUnderThatPolicy() throws Exception {
        var token = signedIn(new Browser().signIn("newcomer"));
        var me = api().get("/api/me", token).json();

        assertThat(me.path("email").asString()).isEqualTo("newcomer@colloquy.test");
        assertThat(me.path("displayName").asString()).isEqualTo("newcomer of the test provider");
        assertThat(me.path("status").asString()).isEqualTo("PENDING");
        assertThat(api().get("/api/conversations", token).status()).isEqualTo(403);
        assertThat(api().post(
                                "/api/auth/login",
                                null,
                                "{\"email\":\"newcomer@colloquy.test\",\"password\":\"anything at all\"}")
                        .status())
                .as("an account made by single sign-on has no password to sign in with")
                .isEqualTo(401);
        var again = signedIn(new Browser().signIn("newcomer"));
        assertThat(api().get("/api/me", again).json().path("id").asString())
                .as("the second sign-in finds the same account")
                .isEqualTo(me.path("id").asString());
    }

    @Test
    void aVerifiedEmailLinksToTheAccountThatHasIt() throws Exception {
        var existing = api().register("alice@colloquy.test");
        api().post("/api/admin/users/" + existing.id() + "/approve", operator.token(), "{}");

        var token = signedIn(new Browser().signIn("alice"));
        var me = api().get("/api/me", token).json();

        assertThat(me.path("id").asString()).isEqualTo(existing.id().toString());
        assertThat(me.path("status").asString()).isEqualTo("ACTIVE");
        assertThat(api().get("/api/admin/audit", operator.token())
                        .json()
                        .path("items")
                        .toString())
                .contains("account.sso_linked");
    }

    @Test
    void theProvidersAdminGroupMakesAnAdmin() throws Exception {
        var token = signedIn(new Browser().signIn("boss"));

        assertThat(api().get("/api/me", token).json().path("role").asString()).isEqualTo("ADMIN");
        assertThat(api().get("/api/me", token).json().path("status").asString()).isEqualTo("ACTIVE");
        assertThat(api().get("/api/admin/users", token).status()).isEqualTo(200);
    }

    @Test
    void aCallbackWithAnotherStateIsRefused() throws Exception {
        var browser = new Browser();
        var callback = browser.toCallback("newcomer");
        var tampered =
                callback.replaceAll("state=[^&]+", "state=" + URLEncoder.encode("forged", StandardCharsets.UTF_8));

        var answer = browser.get(tampered);

        assertThat(answer.statusCode()).isEqualTo(302);
        assertThat(answer.headers().firstValue("location").orElseThrow()).endsWith("/#sso-error=invalid-state");
    }

    @Test
    void aCallbackFromAnotherBrowserIsRefused() throws Exception {
        var callback = new Browser().toCallback("newcomer");

        var answer = new Browser().get(callback); // the code and state, without the cookie that started it

        assertThat(answer.headers().firstValue("location").orElseThrow()).endsWith("/#sso-error=invalid-state");
    }

    @Test
    void anIdTokenForAnotherAudienceIsRefused() throws Exception {
        assertThat(new Browser().signIn("mallory")).endsWith("/#sso-error=invalid-id-token");
        assertThat(userCount("mallory@colloquy.test")).isZero();
    }

    @Test
    void anExpiredIdTokenIsRefused() throws Exception {
        assertThat(new Browser().signIn("late")).endsWith("/#sso-error=invalid-id-token");
        assertThat(userCount("late@colloquy.test")).isZero();
    }

    @Test
    void anUnverifiedEmailGetsNoAccount() throws Exception {
        assertThat(new Browser().signIn("unverified")).endsWith("/#sso-error=email-unverified");
        assertThat(userCount("unverified@colloquy.test")).isZero();
    }

    @Test
    void theSignUpPolicyAppliesToFirstSignIns() throws Exception {
        assertThat(new Browser().signIn("outsider")).endsWith("/#sso-error=signup-domain");
        assertThat(userCount("outsider@elsewhere.test")).isZero();
    }

    @Test
    void aPersonSignsInThroughTheProviderInARealBrowser() throws Exception {
        boolean installed = HeadlessChromium.installed();
        assumeThat(installed || "true".equals(System.getenv("CI")))
                .as("Debian's chromium and chromium-driver are not installed: the browser half is left out")
                .isTrue();
        assertThat(installed)
                .as("CI must run the browser half: .ci/run installs chromium")
                .isTrue();
        var profile = Files.createTempDirectory("colloquy-sso-browser");
        var driver = HeadlessChromium.start(profile);
        try {
            var wait = new WebDriverWait(driver, Duration.ofSeconds(20));
            driver.get(base() + "/");
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[data-provider=test-idp]")))
                    .click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username")))
                    .sendKeys("browser");
            driver.findElement(By.name("password")).sendKeys(TestIdentityProvider.PASSWORD);
            driver.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pending")));

            assertThat(driver.getCurrentUrl()).startsWith(base()).doesNotContain("sso=");
            assertThat(driver.findElement(By.id("pending")).getText()).contains("waits for an administrator");
            assertThat((String) driver.executeScript("return localStorage.getItem('colloquy.token')"))
                    .startsWith("cqs_");
        } finally {
            driver.quit();
        }
    }

    private long userCount(String email) {
        return api().get("/api/admin/users?q=" + URLEncoder.encode(email, StandardCharsets.UTF_8), operator.token())
                .json()
                .path("items")
                .size();
    }

    /** The session token of a sign-in that ended at {@code /#sso=<token>}. */
    private static String signedIn(String location) {
        assertThat(location).contains("/#sso=");
        return URLDecoder.decode(location.substring(location.indexOf("#sso=") + 5), StandardCharsets.UTF_8);
    }

    /** A browser as far as HTTP goes: cookies kept, redirects followed one by one. */
    private final class Browser {

        private final HttpClient client = HttpClient.newBuilder()
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        HttpResponse<String> get(String url) throws IOException, InterruptedException {
            return client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .header("Accept", "text/html")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> postForm(String url, Map<String, String> fields) throws IOException, InterruptedException {
            var body = new StringBuilder();
            fields.forEach((name, value) -> body.append(body.isEmpty() ? "" : "&")
                    .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
            return client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .header("Accept", "text/html")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** Starts at Colloquy, signs in at the provider; the provider's redirect back to Colloquy. */
        String toCallback(String person) throws IOException, InterruptedException {
            var url = base() + "/oauth2/authorization/test-idp";
            for (int hop = 0; hop < 10; hop++) {
                var response = get(url);
                if (response.statusCode() == 200 && url.startsWith(PROVIDER.issuer() + "/login")) {
                    var csrf = CSRF.matcher(response.body());
                    assertThat(csrf.find()).as("the provider's login form").isTrue();
                    response = postForm(
                            PROVIDER.issuer() + "/login",
                            Map.of(
                                    "username",
                                    person,
                                    "password",
                                    TestIdentityProvider.PASSWORD,
                                    "_csrf",
                                    csrf.group(1)));
                }
                assertThat(response.statusCode()).as("hop %d at %s", hop, url).isBetween(300, 399);
                url = URI.create(url)
                        .resolve(response.headers().firstValue("location").orElseThrow())
                        .toString();
                if (url.startsWith(base() + "/login/oauth2/code/")) {
                    return url;
                }
            }
            throw new AssertionError("never came back to Colloquy");
        }

        /** The whole flow; where Colloquy sends the browser in the end. */
        String signIn(String person) throws IOException, InterruptedException {
            var answer = get(toCallback(person));
            assertThat(answer.statusCode()).isEqualTo(302);
            return answer.headers().firstValue("location").orElseThrow();
        }
    }
}
