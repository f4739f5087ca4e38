package dev.colloquy.llm;

import dev.colloquy.user.ApiKeyLimits;
import dev.colloquy.user.KnownModels;
import dev.colloquy.user.User;
import dev.colloquy.user.UserAccounts;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Which models a caller may use: those an admin allowed the account (every model when none were
 * set), narrowed to those of the API key the caller presented, if the key names any. A model the
 * caller may not use is absent from their model lists and refused with {@link ModelNotAllowed};
 * fallbacks only ever go to models the caller may use.
 */
@Component
public class ModelAccess implements KnownModels {

    /** What one caller may use; null lists mean no restriction at that level. */
    public record Allowed(
            @Nullable List<String> account, @Nullable List<String> apiKey) {

        static final Allowed EVERY_MODEL = new Allowed(null, null);

        public boolean allows(String model) {
            return (account == null || account.contains(model)) && (apiKey == null || apiKey.contains(model));
        }

        boolean restricted() {
            return account != null || apiKey != null;
        }
    }

    private final ModelRegistry models;
    private final UserAccounts accounts;

    ModelAccess(ModelRegistry models, UserAccounts accounts) {
        this.models = models;
        this.accounts = accounts;
    }

    @Override
    public boolean has(String name) {
        return models.find(name).isPresent();
    }

    public Allowed of(UUID userId, @Nullable ApiKeyLimits apiKey) {
        var account = accounts.find(userId).map(User::models).orElse(null);
        var key = apiKey == null ? null : apiKey.models();
        return account == null && key == null ? Allowed.EVERY_MODEL : new Allowed(account, key);
    }

    /** The models the caller may use, in the registry's order. */
    public List<LlmModel> visible(UUID userId, @Nullable ApiKeyLimits apiKey) {
        var allowed = of(userId, apiKey);
        return models.all().stream().filter(m -> allowed.allows(m.name())).toList();
    }

    /**
     * The model a request names, or when it names none the default model, or (when the caller may not
     * use the default) the first model they may use.
     *
     * @throws UnknownModel when no model has this name
     * @throws ModelNotAllowed when the caller may not use it (or, naming none, any model)
     */
    LlmModel pick(@Nullable String name, Allowed allowed) {
        if (name == null || name.isBlank()) {
            var fallback = models.defaultModel();
            if (allowed.allows(fallback.name())) {
                return fallback;
            }
            return models.all().stream()
                    .filter(m -> allowed.allows(m.name()))
                    .findFirst()
                    .orElseThrow(() -> new ModelNotAllowed(fallback.name()));
        }
        var model = models.find(name).orElseThrow(() -> new UnknownModel(name));
        if (!allowed.allows(model.name())) {
            throw new ModelNotAllowed(model.name());
        }
        return model;
    }

    /** The model's chain of fallbacks without the models the caller may not use. */
    List<LlmModel> chain(LlmModel first, Allowed allowed) {
        var chain = models.chain(first);
        return allowed.restricted()
                ? chain.stream().filter(m -> allowed.allows(m.name())).toList()
                : chain;
    }
}
