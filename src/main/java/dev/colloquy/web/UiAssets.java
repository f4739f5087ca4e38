package dev.colloquy.web;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * The web UI's files, read once at start: each asset under a name that carries a hash of its content
 * (so it can be cached for a year), each compressed ahead with gzip and Brotli, and the page that
 * names them. Nothing is read from disk or compressed per request. Brotli at its best quality takes
 * about 0.4 s of a start for these files, so the build makes those forms once ({@link #main}) and a
 * start reads them; one the build did not make (a class path without them) is compressed at start.
 */
@Component
public class UiAssets {

    /** Where each asset comes from: the UI's own files, and the two libraries shipped as web jars. */
    private static final Map<String, String> SOURCES = sources();

    /** Where the build puts the Brotli forms, each named by the SHA-256 of the bytes it compresses. */
    static final String BUILT_BROTLI = "ui-brotli/";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{asset:([a-z.]+)}}");
    private static final Logger log = LoggerFactory.getLogger(UiAssets.class);

    /** One representation set of a file: the bytes as they are, gzipped and, where Brotli loads, Brotli'd. */
    public record Asset(
            String path, MediaType type, String hash, byte[] identity, byte[] gzip, byte @Nullable [] brotli) {

        /** The bytes for this content coding, or identity's when that coding is not at hand. */
        public byte[] body(ContentCoding coding) {
            return switch (coding) {
                case BROTLI -> brotli == null ? identity : brotli;
                case GZIP -> gzip;
                case IDENTITY -> identity;
            };
        }

        /** The coding actually served for what the client accepts. */
        public ContentCoding coding(@Nullable String acceptEncoding) {
            var wanted = ContentCoding.preferred(acceptEncoding);
            return wanted == ContentCoding.BROTLI && brotli == null
                    ? ContentCoding.preferredWithoutBrotli(acceptEncoding)
                    : wanted;
        }

        /** A strong validator per representation: the content hash and the coding. */
        public String etag(ContentCoding coding) {
            return "\"" + hash + coding.etagSuffix() + "\"";
        }
    }

    /** The content codings the UI is stored in, best first. */
    public enum ContentCoding {
        BROTLI("br", "-br"),
        GZIP("gzip", "-gz"),
        IDENTITY(null, "");

        private final @Nullable String token;
        private final String etagSuffix;

        ContentCoding(@Nullable String token, String etagSuffix) {
            this.token = token;
            this.etagSuffix = etagSuffix;
        }

        public @Nullable String token() {
            return token;
        }

        String etagSuffix() {
            return etagSuffix;
        }

        /** Brotli if the client takes it, then gzip, then the plain bytes; {@code q=0} refuses a coding. */
        static ContentCoding preferred(@Nullable String acceptEncoding) {
            if (accepts(acceptEncoding, "br")) {
                return BROTLI;
            }
            return preferredWithoutBrotli(acceptEncoding);
        }

        static ContentCoding preferredWithoutBrotli(@Nullable String acceptEncoding) {
            return accepts(acceptEncoding, "gzip") ? GZIP : IDENTITY;
        }

        private static boolean accepts(@Nullable String header, String coding) {
            if (header == null) {
                return false;
            }
            Boolean wildcard = null;
            for (var part : header.split(",")) {
                var fields = part.trim().split(";");
                var name = fields[0].trim().toLowerCase(Locale.ROOT);
                boolean allowed = quality(fields) > 0;
                if (name.equals(coding)) {
                    return allowed;
                }
                if (name.equals("*")) {
                    wildcard = allowed;
                }
            }
            return wildcard != null && wildcard;
        }

        private static double quality(String[] fields) {
            for (int i = 1; i < fields.length; i++) {
                var parameter = fields[i].trim();
                if (parameter.startsWith("q=") || parameter.startsWith("Q=")) {
                    try {
                        return Double.parseDouble(parameter.substring(2));
                    } catch (NumberFormatException e) {
                        return 0;
                    }
                }
            }
            return 1;
        }
    }

    private final Map<String, Asset> byPath;
    private final Asset page;
    /** Whether Brotli's native library loaded; null until an asset needs compressing here. */
    private @Nullable Boolean brotliLoads;

    private int brotliAtStart;

    public UiAssets() {
        var resolver = new PathMatchingResourcePatternResolver(UiAssets.class.getClassLoader());
        var assets = new LinkedHashMap<String, Asset>();
        var names = new LinkedHashMap<String, String>();
        SOURCES.forEach((name, location) -> {
            var content = read(resolver, location);
            var hash = hash(content);
            int dot = name.lastIndexOf('.');
            var path = "/assets/" + name.substring(0, dot) + "." + hash + name.substring(dot);
            assets.put(path, asset(path, typeOf(name), hash, content));
            names.put(name, path);
        });
        this.byPath = Map.copyOf(assets);
        var template = new String(read(resolver, "classpath:static/index.html"), StandardCharsets.UTF_8);
        var html = render(template, names).getBytes(StandardCharsets.UTF_8);
        this.page = asset("/", new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8), hash(html), html);
        var pageBrotli = page.brotli();
        log.info(
                "Web UI: {} assets, page {} bytes ({} gzip{}); {} of {} Brotli forms made at start",
                byPath.size(),
                html.length,
                page.gzip().length,
                pageBrotli != null ? ", " + pageBrotli.length + " Brotli" : "; Brotli unavailable on this platform",
                brotliAtStart,
                byPath.size() + 1);
    }

    /**
     * Run by the build ({@code process-classes}, pom.xml): writes the Brotli form of every asset and of
     * the page into the directory given (the class path's {@value #BUILT_BROTLI}), and removes forms
     * of earlier contents from it.
     */
    public static void main(String[] args) throws IOException {
        var directory = Path.of(args[0]);
        Files.createDirectories(directory);
        var assets = new UiAssets();
        var written = new HashSet<Path>();
        for (var asset : assets.all()) {
            if (asset.brotli() != null) {
                var file = directory.resolve(sha256(asset.identity()) + ".br");
                Files.write(file, asset.brotli());
                written.add(file);
            }
        }
        try (var files = Files.list(directory)) {
            for (var stale : files.filter(file -> !written.contains(file)).toList()) {
                Files.delete(stale);
            }
        }
        System.out.println("UiAssets: " + written.size() + " Brotli forms in " + directory);
    }

    private List<Asset> all() {
        var all = new ArrayList<>(byPath.values());
        all.add(page);
        return all;
    }

    /** The HTML page, with the hashed asset names filled in. */
    public Asset page() {
        return page;
    }

    public Optional<Asset> asset(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /** How many Brotli forms this start made itself, not finding the build's. */
    int brotliMadeAtStart() {
        return brotliAtStart;
    }

    /** Every hashed asset path, for tests and for the page's preload hints. */
    public Iterable<String> paths() {
        return byPath.keySet();
    }

    private Asset asset(String path, MediaType type, String hash, byte[] content) {
        return new Asset(path, type, hash, content, gzip(content), brotli(content));
    }

    /** The build's Brotli form of this content, or one made now, or none where Brotli does not load. */
    private byte @Nullable [] brotli(byte[] content) {
        try (var built = UiAssets.class.getClassLoader().getResourceAsStream(BUILT_BROTLI + sha256(content) + ".br")) {
            if (built != null) {
                return built.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var loads = brotliLoads;
        if (loads == null) {
            loads = loadBrotli();
            brotliLoads = loads;
        }
        if (!loads) {
            return null;
        }
        brotliAtStart++;
        try {
            return Encoder.compress(
                    content, new Encoder.Parameters().setQuality(11).setMode(Encoder.Mode.TEXT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String render(String template, Map<String, String> names) {
        Matcher m = PLACEHOLDER.matcher(template);
        var out = new StringBuilder();
        while (m.find()) {
            var path = names.get(m.group(1));
            if (path == null) {
                throw new IllegalStateException("index.html names an unknown asset " + m.group(1));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(path));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Map<String, String> sources() {
        var sources = new LinkedHashMap<String, String>();
        sources.put("app.js", "classpath:static/app.js");
        sources.put("app.css", "classpath:static/app.css");
        sources.put("icon.svg", "classpath:static/icon.svg");
        sources.put("marked.js", "classpath*:META-INF/resources/webjars/marked/*/marked.min.js");
        sources.put("purify.js", "classpath*:META-INF/resources/webjars/dompurify/*/dist/purify.min.js");
        sources.put("highlight.js", "classpath*:META-INF/resources/webjars/highlightjs/*/highlight.min.js");
        return sources;
    }

    private static byte[] read(PathMatchingResourcePatternResolver resolver, String location) {
        try {
            Resource[] found = resolver.getResources(location);
            if (found.length != 1 || !found[0].exists()) {
                throw new IllegalStateException(
                        "The web UI needs exactly one " + location + " on the class path, found " + found.length);
            }
            try (var in = found[0].getInputStream()) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + location, e);
        }
    }

    private static MediaType typeOf(String name) {
        if (name.endsWith(".js")) {
            return new MediaType("text", "javascript", StandardCharsets.UTF_8);
        }
        if (name.endsWith(".css")) {
            return new MediaType("text", "css", StandardCharsets.UTF_8);
        }
        if (name.endsWith(".svg")) {
            return MediaType.valueOf("image/svg+xml");
        }
        throw new IllegalStateException("No media type for " + name);
    }

    /** The first 10 bytes of SHA-256 in hex: enough that two versions never share a name. */
    private static String hash(byte[] content) {
        return sha256(content).substring(0, 20);
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzip(byte[] content) {
        var out = new ByteArrayOutputStream(content.length / 3 + 64);
        try (var gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gzip.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static boolean loadBrotli() {
        try {
            Brotli4jLoader.ensureAvailability();
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            log.warn(
                    "Brotli is unavailable on {} ({}): the UI is served with gzip only",
                    System.getProperty("os.arch"),
                    e.toString());
            return false;
        }
    }
}
