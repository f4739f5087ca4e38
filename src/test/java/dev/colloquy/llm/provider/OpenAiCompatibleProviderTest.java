package dev.colloquy.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.provider.openai.OpenAiCompatibleProvider;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

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
