package dev.colloquy.llm.provider;

import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.provider.openai.OpenAiCompatibleProvider;
import java.time.Duration;

class OpenAiCompatibleProviderTest extends ProviderContract {

    private final OpenAiCompatibleProvider provider =
            new OpenAiCompatibleProvider(new SseUpstream(Duration.ofSeconds(2), JSON));

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
}
