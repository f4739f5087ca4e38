package dev.colloquy.llm.provider;

import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.provider.anthropic.AnthropicProvider;
import java.time.Duration;

class AnthropicProviderTest extends ProviderContract {

    private final AnthropicProvider provider = new AnthropicProvider(new SseUpstream(Duration.ofSeconds(2), JSON));

    @Override
    ChatProvider provider() {
        return provider;
    }

    @Override
    LlmModel model() {
        return model("contract-anthropic", "anthropic");
    }

    @Override
    String name() {
        return "anthropic";
    }
}
