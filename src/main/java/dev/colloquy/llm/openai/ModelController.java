package dev.colloquy.llm.openai;

import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.ModelAccess;
import dev.colloquy.llm.ModelRegistry;
import dev.colloquy.user.CurrentUser;
import java.math.BigDecimal;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/models}: the models the caller may use, their prices, and which one answers when a
 * conversation names none (the installation's default, or the first they may use when they may not
 * use that). The UI warns when that is the built-in {@code local} model, and before it sends images to a
 * model that does not take them ({@code images}).
 */
@RestController
class ModelController {

    record Model(
            String name,
            String provider,
            boolean local,
            int contextWindow,
            BigDecimal inputUsdPerMillion,
            BigDecimal outputUsdPerMillion,
            List<String> fallbacks,
            boolean images) {}

    record Models(String defaultModel, List<Model> items) {}

    private final ModelRegistry models;
    private final ModelAccess access;

    ModelController(ModelRegistry models, ModelAccess access) {
        this.models = models;
        this.access = access;
    }

    @GetMapping("/api/models")
    Models models(@AuthenticationPrincipal CurrentUser caller) {
        var visible = access.visible(caller.id(), caller.apiKey());
        var fallback = models.defaultModel();
        var defaultModel = visible.contains(fallback) || visible.isEmpty()
                ? fallback.name()
                : visible.getFirst().name();
        return new Models(
                defaultModel,
                visible.stream()
                        .map(m -> new Model(
                                m.name(),
                                m.provider(),
                                m.isLocal(),
                                m.contextWindow(),
                                m.inputPricePerMillion(),
                                m.outputPricePerMillion(),
                                m.fallbacks().stream()
                                        .filter(name -> visible.stream()
                                                .map(LlmModel::name)
                                                .anyMatch(name::equals))
                                        .toList(),
                                m.images()))
                        .toList());
    }
}
