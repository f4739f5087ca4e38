package dev.colloquy.llm.anthropic;

import dev.colloquy.llm.CachePolicy;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.LlmGateway;
import dev.colloquy.llm.UnsupportedParameters;
import dev.colloquy.platform.Uuid4;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.ServerSentEvents;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Anthropic's Messages API ({@code POST /v1/messages}), so the Anthropic SDK works unchanged against
 * Colloquy ({@code x-api-key} or bearer): served by any configured model, through the same gateway,
 * limits, ledger and caches as {@code /v1/chat/completions}.
 */
@RestController
class AnthropicController {

    private final LlmGateway gateway;
    private final JsonMapper json;

    AnthropicController(LlmGateway gateway, JsonMapper json) {
        this.gateway = gateway;
        this.json = json;
    }

    @PostMapping("/v1/messages")
    @Nullable
    ResponseEntity<JsonNode> messages(
            @AuthenticationPrincipal CurrentUser caller,
            @RequestBody ObjectNode body,
            @RequestHeader(value = HttpHeaders.CACHE_CONTROL, required = false) @Nullable String cacheControl,
            HttpServletResponse response)
            throws IOException {
        var request = AnthropicRequests.read(caller, body, CachePolicy.fromCacheControl(cacheControl));
        var model = gateway.resolve(caller.id(), caller.apiKey(), request.model());
        if (model.dropParams()) {
            var dropped = gateway.unsupported(model, request);
            if (!dropped.isEmpty()) {
                response.setHeader(UnsupportedParameters.DROPPED_HEADER, String.join(", ", dropped));
            }
        }
        var id = "msg_" + Uuid4.hex();
        if (!AnthropicRequests.streamed(body)) {
            var answer = new AnthropicAnswer((name, data) -> {}, id, model.name());
            var completion = gateway.complete(request, answer);
            answer.finish(completion);
            return ResponseEntity.ok()
                    .header("X-Colloquy-Cache", completion.cached() ? "hit" : "miss")
                    .body(answer.message(completion));
        }
        // events are written as they come and flushed when the producer waits for the upstream, as on
        // the OpenAI wire: events made together (a block's start and its first delta, the answer's
        // last delta, message_delta, message_stop and the end of the body) reach the client in one write
        var stream = ServerSentEvents.lazily(response);
        var out = new AnthropicAnswer.Out() {
            @Override
            public void event(String name, JsonNode data) throws IOException {
                stream.write(name, json.writeValueAsBytes(data));
            }

            @Override
            public void flush() throws IOException {
                stream.flush();
            }
        };
        var answer = new AnthropicAnswer(out, id, model.name());
        Completion completion;
        try {
            completion = gateway.complete(request, answer);
        } catch (RuntimeException e) {
            if (!stream.opened()) {
                throw e;
            }
            stream.send("error", json.writeValueAsBytes(AnthropicErrors.body(e)));
            return null;
        }
        try {
            answer.finish(completion);
        } catch (IOException clientGone) {
            // the answer was billed; nothing is left to send it to
        }
        return null;
    }
}
