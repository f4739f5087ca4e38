package dev.colloquy.llm.provider;

import dev.colloquy.llm.LlmModel;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** The provider beans, keyed by the id models name in their {@code provider} setting. */
@Component
public class Providers {

    private final Map<String, ChatProvider> byId;

    Providers(List<ChatProvider> providers) {
        this.byId = providers.stream().collect(Collectors.toUnmodifiableMap(ChatProvider::id, Function.identity()));
    }

    public ChatProvider of(LlmModel model) {
        var provider = byId.get(model.provider());
        if (provider == null) {
            throw new IllegalStateException("no provider '" + model.provider() + "' for model " + model.name());
        }
        return provider;
    }
}
