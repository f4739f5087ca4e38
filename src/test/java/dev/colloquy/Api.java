package dev.colloquy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the integration tests: real requests, JSON answers. */
public final class Api {

    public record Response(int status, Map<String, String> headers, String body) {

        private static final JsonMapper JSON = JsonMapper.builder().build();

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public @Nullable String header(String name) {
            return headers.get(name.toLowerCase());
        }

        public String contentType() {
            var type = header("content-type");
            return type == null ? "" : type;
        }
    }

    /** A registered account and its session token. */
    public record Account(UUID id, String email, String token) {}

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    public Api(String base) {
        this.base = base;
    }

    /**
     * POSTs a streamed call and reads its answer line by line as it arrives: for each marker, when
     * (nano time) the first line holding it reached the client, 0 for never.
     */
    public long[] streamArrivals(String path, String token, String json, Map<String, String> headers, String... markers)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        var arrivals = new long[markers.length];
        try (var client = HttpClient.newHttpClient()) {
            var response = client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("status " + response.statusCode());
            }
            response.body().forEach(line -> {
                for (int i = 0; i < markers.length; i++) {
                    if (arrivals[i] == 0 && line.contains(markers[i])) {
                        arrivals[i] = System.nanoTime();
                    }
                }
            });
        }
        return arrivals;
    }

    public Account register() {
        var email = "user-" + UUID.randomUUID() + "@colloquy.test";
        return register(email);
    }

    public Account register(String email) {
        var response = send(
                "POST",
                "/api/auth/register",
                null,
                "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\",\"displayName\":\"Test User\"}",
                Map.of());
        if (response.status() != 201) {
            throw new AssertionError("registration failed: " + response.status() + " " + response.body());
        }
        var json = response.json();
        return new Account(
                UUID.fromString(json.get("user").get("id").asString()),
                email,
                json.get("token").asString());
    }

    /** A new account's API key for {@code /v1}. */
    public String apiKey() {
        return apiKey(register());
    }

    /** An API key for {@code /v1} of this account. */
    public String apiKey(Account account) {
        var created = post("/api/api-keys", account.token(), "{\"name\":\"client\"}");
        if (created.status() != 201) {
            throw new AssertionError("key creation failed: " + created.status() + " " + created.body());
        }
        return created.json().get("key").asString();
    }

    /**
     * The sum of the samples {@code /actuator/prometheus} shows under this name whose labels contain
     * all of these ({@code key="value"}); 0 when there is none yet.
     */
    public double metric(String name, String... labels) {
        return get("/actuator/prometheus", null)
                .body()
                .lines()
                .filter(line ->
                        line.startsWith(name + "{") && Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The admin account of the integration tests (its email is in colloquy.admin-emails). */
    public Account admin() {
        var email = "root@colloquy.test";
        var login =
                post("/api/auth/login", null, "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}");
        if (login.status() == 200) {
            var me = get("/api/me", login.json().get("token").asString());
            return new Account(
                    UUID.fromString(me.json().get("id").asString()),
                    email,
                    login.json().get("token").asString());
        }
        return register(email);
    }

    public Response get(String path, @Nullable String token) {
        return send("GET", path, token, null, Map.of());
    }

    public Response get(String path, @Nullable String token, Map<String, String> headers) {
        return send("GET", path, token, null, headers);
    }

    public Response post(String path, @Nullable String token, String json) {
        return send("POST", path, token, json, Map.of());
    }

    public Response post(String path, @Nullable String token, String json, Map<String, String> headers) {
        return send("POST", path, token, json, headers);
    }

    public Response patch(String path, @Nullable String token, String json) {
        return send("PATCH", path, token, json, Map.of());
    }

    public Response delete(String path, @Nullable String token) {
        return send("DELETE", path, token, null, Map.of());
    }

    public Response send(
            String method, String path, @Nullable String token, @Nullable String json, Map<String, String> headers) {
        var all = new LinkedHashMap<String, String>();
        if (json != null) {
            all.put("Content-Type", "application/json");
        }
        all.putAll(headers);
        return sendRaw(
                method, path, token, json == null ? null : json.getBytes(java.nio.charset.StandardCharsets.UTF_8), all);
    }

    public Response sendRaw(
            String method, String path, @Nullable String token, byte @Nullable [] body, Map<String, String> headers) {
        var request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        request.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return execute(request);
    }

    /**
     * A request written on the wire as given, unchecked by any client library: the target may hold
     * broken percent escapes or bytes no URI allows. One request per connection.
     */
    public Response sendWire(
            String method, String target, @Nullable String token, Map<String, String> headers, byte @Nullable [] body) {
        var uri = URI.create(base);
        try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            var head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
                    + uri.getPort() + "\r\nConnection: close\r\n");
            if (token != null) {
                head.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            headers.forEach((name, value) ->
                    head.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            var out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Response parse(byte[] raw) {
        var text = new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no complete response: " + text);
        }
        var lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        var headers = new java.util.HashMap<String, String>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).strip().toLowerCase(),
                    lines[i].substring(colon + 1).strip());
        }
        var body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            var whole = new java.io.ByteArrayOutputStream();
            int at = 0;
            while (true) {
                int lineEnd = indexOf(body, at);
                int size = Integer.parseInt(
                        new String(body, at, lineEnd - at, java.nio.charset.StandardCharsets.ISO_8859_1)
                                .split(";")[0].strip(),
                        16);
                if (size == 0) {
                    break;
                }
                whole.write(body, lineEnd + 2, size);
                at = lineEnd + 2 + size + 2;
            }
            body = whole.toByteArray();
        }
        return new Response(status, headers, new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length - 1; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("a chunk without its line end");
    }

    /** Uploads one file as the multipart part {@code file}, as a browser form would. */
    public Response upload(String path, @Nullable String token, String filename, byte[] content) {
        return postForm(path, token, Map.of(), "file", List.of(content), filename, Map.of());
    }

    /**
     * Posts a form, as a browser does: the text fields, then each file as a part named {@code fileField}.
     */
    public Response postForm(
            String path,
            @Nullable String token,
            Map<String, String> fields,
            String fileField,
            List<byte[]> files,
            String filename,
            Map<String, String> headers) {
        var boundary = "colloquy-test-" + UUID.randomUUID();
        var out = new java.io.ByteArrayOutputStream();
        var utf8 = java.nio.charset.StandardCharsets.UTF_8;
        fields.forEach((name, value) -> out.writeBytes(("--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                .getBytes(utf8)));
        for (var content : files) {
            var head = "--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"" + fileField + "\"; filename=\""
                    + filename.replace("\"", "%22") + "\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n";
            out.writeBytes(head.getBytes(utf8));
            out.writeBytes(content);
            out.writeBytes("\r\n".getBytes(utf8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(utf8));
        var all = new java.util.HashMap<>(headers);
        all.put("Content-Type", "multipart/form-data; boundary=" + boundary);
        return sendRaw("POST", path, token, out.toByteArray(), all);
    }

    /** Sends the body with chunked transfer encoding: no Content-Length is declared up front. */
    public Response postChunked(String path, @Nullable String token, byte[] body) {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return execute(request);
    }

    /** A response whose body is bytes (an archive, a file). */
    public record Binary(int status, Map<String, String> headers, byte[] body) {}

    public Binary download(String path, @Nullable String token) {
        var request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        var response = send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Binary(response.statusCode(), headers(response), response.body());
    }

    private Response execute(HttpRequest.Builder request) {
        var response = send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), headers(response), response.body());
    }

    private static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            return CLIENT.send(request.build(), body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> headers(HttpResponse<?> response) {
        var flat = new LinkedHashMap<String, String>();
        response.headers().map().forEach((name, values) -> flat.put(name.toLowerCase(), String.join(",", values)));
        return flat;
    }
}
