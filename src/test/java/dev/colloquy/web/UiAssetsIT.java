package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import dev.colloquy.IntegrationTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * What a browser or CDN sees of the UI's delivery: the page {@code no-cache} with an ETag and a strict
 * CSP, every asset it names content-hashed, cached for a year and {@code immutable}, each in Brotli,
 * gzip and plain bytes that decode to the same content, 304 on a matching {@code If-None-Match}.
 */
class UiAssetsIT extends IntegrationTest {

    private static final Pattern ASSET = Pattern.compile("(?:src|href|data-highlight)=\"(/assets/[^\"]+)\"");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void thePageIsRevalidatedEveryTimeAndProtectedByAStrictPolicy() throws Exception {
        var plain = get("/", null, null);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(header(plain, "Content-Type")).isEqualTo("text/html;charset=UTF-8");
        assertThat(header(plain, "Cache-Control")).isEqualTo("no-cache");
        assertThat(header(plain, "Vary")).isEqualTo("Accept-Encoding");
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        var csp = header(plain, "Content-Security-Policy");
        assertThat(csp)
                .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                .contains("require-trusted-types-for 'script'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(header(plain, "X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(header(plain, "Referrer-Policy")).isEqualTo("no-referrer");
        var html = new String(plain.body(), StandardCharsets.UTF_8);
        assertThat(html).contains("<title>Colloquy</title>").doesNotContain("{{asset:");
        assertThat(html)
                .as("no inline script or style for the CSP to allow")
                .doesNotContainPattern("<script>|<style|style=\"");

        var gzipped = get("/", "gzip", null);
        assertThat(header(gzipped, "Content-Encoding")).isEqualTo("gzip");
        assertThat(gunzip(gzipped.body())).isEqualTo(plain.body());
        var brotli = get("/", "gzip, deflate, br, zstd", null);
        assertThat(header(brotli, "Content-Encoding")).isEqualTo("br");
        assertThat(unbrotli(brotli.body())).isEqualTo(plain.body());
        assertThat(brotli.body().length).isLessThan(gzipped.body().length).isLessThan(plain.body().length);
        assertThat(header(get("/", "br;q=0, gzip", null), "Content-Encoding")).isEqualTo("gzip");

        var etag = header(brotli, "ETag");
        var revalidated = get("/", "br", etag);
        assertThat(revalidated.statusCode()).isEqualTo(304);
        assertThat(revalidated.body()).isEmpty();
        assertThat(header(revalidated, "ETag")).isEqualTo(etag);
        assertThat(get("/", "gzip", etag).statusCode())
                .as("another coding is another representation")
                .isEqualTo(200);
    }

    @Test
    void everyAssetIsHashedCachedForAYearAndServedCompressed() throws Exception {
        var html = new String(get("/", null, null).body(), StandardCharsets.UTF_8);
        var paths = new ArrayList<String>();
        var m = ASSET.matcher(html);
        while (m.find()) {
            if (!paths.contains(m.group(1))) {
                paths.add(m.group(1));
            }
        }
        assertThat(paths).hasSize(6).allMatch(path -> path.matches("/assets/[a-z]+\\.[0-9a-f]{20}\\.(js|css|svg)"));
        for (var path : paths) {
            var plain = get(path, null, null);
            assertThat(plain.statusCode()).as(path).isEqualTo(200);
            assertThat(header(plain, "Cache-Control")).as(path).isEqualTo("public, max-age=31536000, immutable");
            assertThat(header(plain, "Vary")).as(path).isEqualTo("Accept-Encoding");
            assertThat(header(plain, "Content-Type"))
                    .as(path)
                    .isEqualTo(
                            path.endsWith(".js")
                                    ? "text/javascript;charset=UTF-8"
                                    : path.endsWith(".css") ? "text/css;charset=UTF-8" : "image/svg+xml");
            assertThat(header(plain, "Content-Length")).as(path).isEqualTo(Integer.toString(plain.body().length));

            var gzipped = get(path, "gzip", null);
            assertThat(header(gzipped, "Content-Encoding")).as(path).isEqualTo("gzip");
            assertThat(gunzip(gzipped.body())).as(path).isEqualTo(plain.body());
            var brotli = get(path, "br, gzip", null);
            assertThat(header(brotli, "Content-Encoding")).as(path).isEqualTo("br");
            assertThat(unbrotli(brotli.body())).as(path).isEqualTo(plain.body());
            assertThat(brotli.body().length).as(path).isLessThan(plain.body().length);

            var etag = header(brotli, "ETag");
            assertThat(etag).as(path).startsWith("\"").endsWith("-br\"");
            var revalidated = get(path, "br", etag);
            assertThat(revalidated.statusCode()).as(path).isEqualTo(304);
            assertThat(header(revalidated, "Cache-Control")).as(path).isEqualTo("public, max-age=31536000, immutable");
        }
    }

    @Test
    void anUnknownOrOldAssetIsAProblemNotAPage() throws Exception {
        var missing = get("/assets/app.0000000000000000dead.js", "br", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(header(missing, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(header(missing, "Cache-Control")).doesNotContain("immutable");
        var unhashed = get("/app.js", null, null);
        assertThat(unhashed.statusCode()).as("only hashed names are served").isEqualTo(404);
        var traversal = get("/assets/..%2Fapplication.yaml", null, null);
        assertThat(traversal.statusCode()).isIn(400, 404);
        assertThat(new String(traversal.body(), StandardCharsets.UTF_8)).doesNotContain("datasource");
    }

    private HttpResponse<byte[]> get(String path, String acceptEncoding, String ifNoneMatch)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header"));
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    private static byte[] unbrotli(byte[] body) throws IOException {
        Brotli4jLoader.ensureAvailability();
        var decoded = Decoder.decompress(body);
        assertThat(decoded.getResultStatus()).isEqualTo(DecoderJNI.Status.DONE);
        return decoded.getDecompressedData();
    }
}
