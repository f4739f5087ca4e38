package dev.colloquy.document;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Files meant to hurt: each gets a clear answer or a failed status with a reason, and nothing breaks. */
class HostileDocumentIT extends IntegrationTest {

    @Test
    void binaryDisguisedAsTextIsRefusedAtTheDoor() {
        var account = api().register();
        var binary = new byte[4096];
        new Random(7).nextBytes(binary);

        var random = api().upload("/api/documents", account.token(), "notes.txt", binary);
        var withNul = api().upload(
                        "/api/documents",
                        account.token(),
                        "notes.md",
                        "# Title\n\u0000\u0001 hidden".getBytes(StandardCharsets.UTF_8));
        var empty = api().upload("/api/documents", account.token(), "empty.txt", new byte[0]);

        for (var response : new Api.Response[] {random, withNul, empty}) {
            assertThat(response.status()).isEqualTo(415);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("type").asString()).isEqualTo("urn:colloquy:problem:unsupported-document");
        }
        assertThat(api().get("/api/documents", account.token()).json().get("items"))
                .isEmpty();
    }

    @Test
    void aNameIsNotATypeNorAPath() throws Exception {
        var account = api().register();

        var pdfNamedText = api().upload(
                        "/api/documents", account.token(), "..\\..\\evil/../../etc/passwd.txt", TestPdfs.fieldGuide());

        assertThat(pdfNamedText.status()).isEqualTo(202);
        assertThat(pdfNamedText.json().get("filename").asString()).isEqualTo("passwd.txt");
        assertThat(pdfNamedText.json().get("contentType").asString()).isEqualTo("application/pdf");
    }

    @Test
    void controlCharactersInANameAreDroppedAndANulIsRefused() {
        var account = api().register();

        var escapes = api().upload(
                        "/api/documents",
                        account.token(),
                        "a\u001b[2Jb\u0007\u202e.md",
                        "# Escapes\n\nWords in a file with a hostile name.".getBytes(StandardCharsets.UTF_8));
        var nul = api().upload(
                        "/api/documents",
                        account.token(),
                        "re\u0000port.md",
                        "# Nul\n\nOther words.".getBytes(StandardCharsets.UTF_8));

        assertThat(escapes.status()).as(escapes.body()).isEqualTo(202);
        assertThat(escapes.json().get("filename").asString()).doesNotContainPattern("\\p{Cntrl}");
        assertThat(nul.status()).as(nul.body()).isEqualTo(400);
        assertThat(nul.contentType()).startsWith("application/problem+json");
        assertThat(nul.body()).doesNotContain("Exception", "tomcat");
    }

    @Test
    void brokenPdfsFailWithAReason() throws Exception {
        var account = api().register();

        var truncated = settle(account, upload(account, "truncated.pdf", TestPdfs.truncated()));
        var encrypted = settle(account, upload(account, "encrypted.pdf", TestPdfs.encrypted()));

        assertThat(truncated.get("status").asString()).isEqualTo("failed");
        assertThat(truncated.get("failureReason").asString()).startsWith("The PDF could not be read");
        assertThat(encrypted.get("status").asString()).isEqualTo("failed");
        assertThat(encrypted.get("failureReason").asString()).contains("encrypted with a password");
    }

    @Test
    void aCompressionBombFailsWithoutTakingTheServiceDown() throws Exception {
        var account = api().register();
        var bomb = TestPdfs.bomb(300_000_000L);
        assertThat(bomb.length).isLessThan(2_000_000);

        var document = settle(account, upload(account, "bomb.pdf", bomb));

        assertThat(document.get("status").asString()).isEqualTo("failed");
        assertThat(document.get("failureReason").asString()).containsAnyOf("max-text-chars", "could not be read");
        assertThat(api().get("/health", null).status()).isEqualTo(200);
        var next = settle(
                account, upload(account, "after.md", "# After\n\nStill working.".getBytes(StandardCharsets.UTF_8)));
        assertThat(next.get("status").asString()).isEqualTo("ready");
    }

    @Test
    void anOversizedUploadIsRefusedBeforeItIsRead() throws Exception {
        var account = api().register();
        var boundary = "oversized";
        var head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.txt\"\r\n\r\n";
        long declared = 21L * 1024 * 1024;

        String response;
        try (var socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(("POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + account.token()
                            + "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: "
                            + declared + "\r\nConnection: close\r\n\r\n" + head)
                    .getBytes(StandardCharsets.UTF_8));
            var some = new byte[64 * 1024];
            Arrays.fill(some, (byte) 'a');
            out.write(some); // a client still sending: the answer must not wait for the other 20 MB
            out.flush();
            response = readProblem(socket);
        }

        assertThat(response).startsWith("HTTP/1.1 413");
        assertThat(response).contains("application/problem+json").doesNotContain("Exception");
    }

    @Test
    void withoutAFileOrCredentialsTheAnswerIsAProblem() {
        var account = api().register();

        var noFile = api().sendRaw(
                        "POST",
                        "/api/documents",
                        account.token(),
                        "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n"
                                .getBytes(StandardCharsets.UTF_8),
                        java.util.Map.of("Content-Type", "multipart/form-data; boundary=b"));
        var anonymous = api().upload("/api/documents", null, "a.txt", "hello".getBytes(StandardCharsets.UTF_8));
        var badSearch = api().post("/api/documents/search", account.token(), "{\"query\":\"\",\"k\":500}");

        assertThat(noFile.status()).isEqualTo(400);
        assertThat(noFile.contentType()).startsWith("application/problem+json");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(badSearch.status()).isEqualTo(422);
        assertThat(badSearch.contentType()).startsWith("application/problem+json");
    }

    /** The response so far: the head and a JSON body, without waiting for the server to close. */
    private static String readProblem(Socket socket) throws java.io.IOException {
        var in = socket.getInputStream();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (true) {
            int n = in.read(buffer);
            if (n < 0) {
                return received.toString();
            }
            received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            int body = received.indexOf("\r\n\r\n");
            if (body >= 0 && received.indexOf("}", body) >= 0) {
                return received.toString();
            }
        }
    }

    private String upload(Api.Account account, String filename, byte[] content) {
        var response = api().upload("/api/documents", account.token(), filename, content);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asString();
    }

    private JsonNode settle(Api.Account account, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            var document = api().get("/api/documents/" + id, account.token()).json();
            if (!document.get("status").asString().equals("processing") || System.nanoTime() > deadline) {
                return document;
            }
            Thread.sleep(100);
        }
    }
}
