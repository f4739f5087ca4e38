package dev.colloquy.llm.openai;

import dev.colloquy.llm.ModelRegistry;
import java.math.BigDecimal;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/models}: the models a conversation can use, their prices, and which one answers
 * when a conversation names none. The UI warns when that is the built-in {@code local} model.
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
            List<String> fallbacks) {}

    record Models(String defaultModel, List<Model> items) {}

    private final ModelRegistry models;

    ModelController(ModelRegistry models) {
        this.models = models;
    }

    @GetMapping("/api/models")
    Models models() {
        return new Models(
                models.defaultModel().name(),
                models.all().stream()
                        .map(m -> new Model(
                                m.name(),
                                m.provider(),
                                m.isLocal(),
                                m.contextWindow(),
                                m.inputPricePerMillion(),
                                m.outputPricePerMillion(),
                                m.fallbacks()))
                        .toList());
    }
}
