package dev.colloquy.llm.provider;

import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.MessageRecall;
import dev.colloquy.llm.provider.local.LocalModel;

class LocalModelTest extends ProviderContract {

    private final LocalModel provider = new LocalModel(MessageRecall.NONE);

    @Override
    ChatProvider provider() {
        return provider;
    }

    @Override
    LlmModel model() {
        return model(LlmModel.LOCAL, LlmModel.LOCAL);
    }

    @Override
    String name() {
        return "local";
    }

    @Override
    boolean callsTools() {
        return false;
    }

    @Override
    String expectedText() {
        return "I found nothing about that in your conversations yet.";
    }
}
