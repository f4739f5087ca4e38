package dev.colloquy.llm;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The provider of each wire: OpenAI-compatible, Anthropic, and the built-in model. */
@Component
class Providers {

    private final OpenAiCompatibleProvider openAi;
    private final AnthropicProvider anthropic;
    private final LocalModel local;

    Providers(LlmProperties properties, JsonMapper json, ObjectProvider<MessageRecall> recall) {
        var http = new SseUpstream(properties.connectTimeout(), json);
        this.openAi = new OpenAiCompatibleProvider(http);
        this.anthropic = new AnthropicProvider(http);
        this.local = new LocalModel(recall.getIfAvailable(() -> MessageRecall.NONE));
    }

    ChatProvider of(LlmModel model) {
        return switch (model.provider()) {
            case LlmModel.LOCAL -> local;
            case "anthropic" -> anthropic;
            default -> openAi;
        };
    }

    OpenAiCompatibleProvider openAi() {
        return openAi;
    }
}
