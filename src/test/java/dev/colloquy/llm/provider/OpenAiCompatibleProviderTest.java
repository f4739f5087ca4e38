package dev.colloquy.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.provider.openai.OpenAiCompatibleProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class OpenAiCompatibleProviderTest extends ProviderContract {

    private final SseUpstream upstream = new SseUpstream(Duration.ofSeconds(2), JSON);
    private final OpenAiCompatibleProvider provider = new OpenAiCompatibleProvider(upstream);

    @Override
    ChatProvider provider() {
        return provider;
    }

    @Override
    LlmModel model() {
        return model("contract-openai", "openai");
    }

    @Override
    String name() {
        return "openai";
    }

    /**
     * An upstream that takes the request and never answers, not even its headers: the call fails as
     * a timeout when its deadline passes (the client has no read timeout of its own; the watchdog
     * drops the connection), not when the operating system gives up on the socket.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anAnswerWhoseHeadersNeverComeTimesOutAtItsDeadline() throws Exception {
        try (var silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            var held = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept(); // read nothing, answer nothing
                } catch (IOException e) {
                    return null;
                }
            });
            long started = System.nanoTime();

            assertThatThrownBy(() -> upstream.post(
                            URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/v1/chat/completions"),
                            Map.of(),
                            Map.of("model", "silent"),
                            Instant.now().plusMillis(500)))
                    .isInstanceOfSatisfying(
                            UpstreamFailure.class,
                            failure -> assertThat(failure.kind()).isEqualTo(UpstreamFailure.Kind.TIMEOUT));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            try (Socket socket = held.join()) {
                assertThat(socket).as("the request reached the upstream").isNotNull();
            }
        }
    }

    /**
     * A stream's deadlines (first token, whole answer, idle) are due minutes after most streams end;
     * an ended stream leaves none queued, or each would keep its response reachable until then.
     */
    @Test
    void anEndedStreamLeavesNoDeadlineQueued() throws Exception {
        UPSTREAM.script(model().upstreamModel(), Reply.stream("Hel", "lo ", "there."));
        provider.stream(model(), question("hello"), event -> {}, deadlines());
        UPSTREAM.script(model().upstreamModel(), Reply.stream("one ", "two ", "three"));
        provider.stream(
                model(),
                question("count"),
                event -> {
                    throw new IOException("client gone");
                },
                deadlines());

        assertThat(upstream.pendingDeadlines()).isZero();
    }
}
