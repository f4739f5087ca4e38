package dev.colloquy.bench;

import dev.colloquy.web.HeadlessChromium;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * First and repeat load of the signed-in main page in headless Chromium: requests, bytes on the wire
 * (the page and its assets, and the API calls the page makes), and time until the UI is usable (its
 * {@code colloquy-ready} user-timing mark). Each load runs on loopback and under an emulated slow
 * network; a third row per network turns compression off ({@code Accept-Encoding: identity}) and the
 * cache off, the page as a server without this delivery would serve it.
 *
 * <p>Arguments: base URL of a running service, runs per row.
 */
public final class UiLoadBench {

    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final String MEASURE = """
            const nav = performance.getEntriesByType('navigation')[0];
            const resources = performance.getEntriesByType('resource');
            const isApi = (e) => new URL(e.name).pathname.startsWith('/api/');
            const sum = (list, key) => list.reduce((n, e) => n + e[key], 0);
            const statics = resources.filter((e) => !isApi(e));
            const api = resources.filter(isApi);
            const ready = performance.getEntriesByName('colloquy-ready')[0];
            return {
              staticRequests: 1 + statics.length,
              staticFromCache: statics.filter((e) => e.transferSize === 0).length,
              staticBytes: nav.transferSize + sum(statics, 'transferSize'),
              staticDecoded: nav.decodedBodySize + sum(statics, 'decodedBodySize'),
              apiRequests: api.length,
              apiBytes: sum(api, 'transferSize'),
              domContentLoaded: nav.domContentLoadedEventEnd,
              ready: ready ? ready.startTime : -1,
            };
            """;

    record Load(
            long staticRequests,
            long staticFromCache,
            long staticBytes,
            long staticDecoded,
            long apiRequests,
            long apiBytes,
            double domContentLoaded,
            double ready) {}

    record Network(String name, Map<String, Object> conditions) {}

    public static void main(String[] args) throws Exception {
        var base = args[0];
        int runs = Integer.parseInt(args[1]);
        var token = signUpWithHistory(base);
        var networks = List.of(
                new Network("loopback", null),
                new Network(
                        "slow network (1.6 Mbit/s down, 750 kbit/s up, 150 ms RTT)",
                        Map.<String, Object>of(
                                "offline",
                                false,
                                "latency",
                                150,
                                "downloadThroughput",
                                1_600_000 / 8,
                                "uploadThroughput",
                                750_000 / 8)));
        System.out.printf(
                "%-58s %-34s %8s %9s %11s %9s %10s %9s %9s%n",
                "network", "load", "requests", "cached", "page bytes", "(decoded)", "api calls", "DCL ms", "ready ms");
        for (var network : networks) {
            var profile = Files.createTempDirectory("ui-bench");
            var browser = HeadlessChromium.start(profile);
            try {
                browser.get(base + "/health");
                ((JavascriptExecutor) browser)
                        .executeScript("localStorage.setItem('colloquy.token', arguments[0])", token);
                browser.executeCdpCommand("Network.enable", Map.of());
                if (network.conditions() != null) {
                    browser.executeCdpCommand("Network.emulateNetworkConditions", network.conditions());
                }
                var first = new ArrayList<Load>();
                var repeat = new ArrayList<Load>();
                var plain = new ArrayList<Load>();
                for (int i = 0; i < runs; i++) {
                    browser.executeCdpCommand("Network.clearBrowserCache", Map.of());
                    first.add(load(browser, base));
                    repeat.add(load(browser, base));
                }
                browser.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", true));
                browser.executeCdpCommand(
                        "Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Accept-Encoding", "identity")));
                for (int i = 0; i < runs; i++) {
                    plain.add(load(browser, base));
                }
                print(network.name(), "first load (empty cache)", first);
                print(network.name(), "repeat load (warm cache)", repeat);
                print(network.name(), "no compression, no cache", plain);
            } finally {
                browser.quit();
                try (var files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        }
        System.out.printf(
                "%nMedians of %d loads per row. \"cached\": page and asset requests answered from the browser cache.%n",
                runs);
    }

    private static Load load(ChromeDriver browser, String base) {
        browser.get(base + "/");
        new WebDriverWait(browser, Duration.ofSeconds(60))
                .until(d -> "true"
                        .equals(((JavascriptExecutor) d)
                                .executeScript("return document.documentElement.dataset.ready")));
        @SuppressWarnings("unchecked")
        var m = (Map<String, Object>) ((JavascriptExecutor) browser).executeScript(MEASURE);
        return new Load(
                number(m, "staticRequests").longValue(),
                number(m, "staticFromCache").longValue(),
                number(m, "staticBytes").longValue(),
                number(m, "staticDecoded").longValue(),
                number(m, "apiRequests").longValue(),
                number(m, "apiBytes").longValue(),
                number(m, "domContentLoaded").doubleValue(),
                number(m, "ready").doubleValue());
    }

    private static Number number(Map<String, Object> m, String key) {
        return (Number) m.get(key);
    }

    private static void print(String network, String name, List<Load> loads) {
        System.out.printf(
                "%-58s %-34s %8d %9d %11d %9d %10d %9.0f %9.0f%n",
                network,
                name,
                median(loads, Load::staticRequests),
                median(loads, Load::staticFromCache),
                median(loads, Load::staticBytes),
                median(loads, Load::staticDecoded),
                median(loads, Load::apiRequests),
                loads.stream().mapToDouble(Load::domContentLoaded).sorted().toArray()[loads.size() / 2],
                loads.stream().mapToDouble(Load::ready).sorted().toArray()[loads.size() / 2]);
    }

    private static long median(List<Load> loads, java.util.function.ToLongFunction<Load> f) {
        return loads.stream().mapToLong(f).sorted().toArray()[loads.size() / 2];
    }

    /** A user with 40 conversations, so the page loads a realistic first page of the list. */
    private static String signUpWithHistory(String base) throws IOException, InterruptedException {
        var http = HttpClient.newHttpClient();
        var body = "{\"email\":\"ui-bench-" + UUID.randomUUID()
                + "@colloquy.test\",\"password\":\"correct horse battery\",\"displayName\":\"Bench\"}";
        var registered = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/auth/register"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        var m = TOKEN.matcher(registered.body());
        if (registered.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("registration failed: " + registered.body());
        }
        var token = m.group(1);
        for (int i = 0; i < 40; i++) {
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/conversations"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Conversation " + i + "\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        return token;
    }
}
