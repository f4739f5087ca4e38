package dev.colloquy.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.llm.CachePolicy;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.ContentPart;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.ModelOptions;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.ToolCall;
import dev.colloquy.llm.ToolChoice;
import dev.colloquy.llm.ToolSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every provider does, run against the in-process test upstream: text and tool calls streamed as
 * events, the client leaving mid-answer, and golden pairs both ways: the body a canonical request
 * sends upstream ({@code src/test/resources/golden/PROVIDER-request.json}) and the events a scripted
 * upstream answer gives back ({@code PROVIDER-events.json}). Each provider's test extends it.
 */
abstract class ProviderContract {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final FakeUpstream UPSTREAM = FakeUpstream.get();
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    /** The provider under test. */
    abstract ChatProvider provider();

    /** Its model, on the test upstream; its upstream model name is the provider's own. */
    abstract LlmModel model();

    /** The golden files' prefix, and whether the provider calls tools. */
    abstract String name();

    boolean callsTools() {
        return true;
    }

    /** A turn with everything a request can carry: instructions, an image, a tool call and its result. */
    static ChatRequest canonical() {
        var image = new ContentPart.Image("data:image/png;base64,iVBORw0KGgo=", null);
        var messages = List.<LlmMessage>of(
                new LlmMessage.Instruction("system", "Be brief."),
                new LlmMessage.User(List.of(new ContentPart.Text("Weather where this was taken?"), image)),
                new LlmMessage.Assistant("", List.of(new ToolCall("call_1", "locate", "{\"photo\":1}"))),
                new LlmMessage.ToolResult("call_1", "Oslo"));
        var schema = JSON.readTree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");
        var options = new ModelOptions(
                0.2,
                100,
                null,
                List.of("END"),
                null,
                List.of(new ToolSpec("weather", "Weather in a city", schema, null)),
                new ToolChoice(ToolChoice.Mode.AUTO, null),
                false,
                null,
                1,
                java.util.Map.of());
        return new ChatRequest(
                UUID.randomUUID(), null, messages, options, null, Set.of(), CachePolicy.DEFAULT, null, List.of(), null);
    }

    static ChatRequest question(String text) {
        return new ChatRequest(UUID.randomUUID(), null, List.of(LlmMessage.of("user", text)), null, 50, null, Set.of());
    }

    static LlmModel model(String name, String provider) {
        return new LlmModel(
                name,
                provider,
                provider.equals(LlmModel.LOCAL) ? null : UPSTREAM.baseUrl(),
                "test-key",
                name,
                BigDecimal.ONE,
                BigDecimal.ONE,
                8_192,
                8,
                Duration.ofSeconds(10),
                List.of(),
                0,
                0,
                false,
                false,
                null,
                null,
                null,
                true);
    }

    @Test
    void streamsATextAnswerWithItsUsage() throws Exception {
        UPSTREAM.script(model().upstreamModel(), Reply.stream("Hel", "lo ", "there."));
        var events = new ArrayList<StreamEvent>();

        var result = provider().stream(model(), question("hello"), events::add, deadlines());

        var text = new StringBuilder();
        events.stream()
                .filter(StreamEvent.Text.class::isInstance)
                .forEach(event -> text.append(((StreamEvent.Text) event).text()));
        assertThat(text.toString()).isEqualTo(result.text()).endsWith(expectedText());
        assertThat(result.finish()).isEqualTo(FinishReason.STOP);
        assertThat(result.usage().input()).isPositive();
        assertThat(result.usage().output()).isPositive();
    }

    /** The end of the text a scripted {@code "Hel", "lo ", "there."} answer gives. */
    String expectedText() {
        return "Hello there.";
    }

    @Test
    void streamsToolCallsAsDeltasOrRefusesThem() throws Exception {
        var request = canonical();
        if (!callsTools()) {
            assertThat(provider().unsupported(model(), request)).contains("tools", "tool_choice");
            return;
        }
        UPSTREAM.script(
                model().upstreamModel(),
                Reply.toolCalls(
                        "",
                        new Reply.Call("call_x", "weather", "{\"city\":\"Oslo\"}"),
                        new Reply.Call("call_y", "weather", "{\"city\":\"Rome\"}")));

        var result = provider().stream(model(), request, event -> {}, deadlines());

        assertThat(provider().unsupported(model(), request)).isEmpty();
        assertThat(result.toolCalls())
                .containsExactly(
                        new ToolCall("call_x", "weather", "{\"city\":\"Oslo\"}"),
                        new ToolCall("call_y", "weather", "{\"city\":\"Rome\"}"));
        assertThat(result.finish()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void stopsWhenTheClientLeaves() throws Exception {
        UPSTREAM.script(model().upstreamModel(), Reply.stream("one ", "two ", "three ", "four"));
        var seen = new ArrayList<StreamEvent>();

        var result = provider().stream(
                model(),
                question("count"),
                event -> {
                    if (event instanceof StreamEvent.Text
                            && seen.stream().anyMatch(StreamEvent.Text.class::isInstance)) {
                        throw new IOException("client gone");
                    }
                    seen.add(event);
                },
                deadlines());

        assertThat(result.finish()).isEqualTo(FinishReason.CLIENT_DISCONNECTED);
        assertThat(result.complete()).isFalse();
    }

    @Test
    void sendsTheGoldenRequest() throws Exception {
        if (!callsTools()) {
            return; // the built-in model sends nothing anywhere
        }
        UPSTREAM.script(model().upstreamModel(), Reply.stream("ok"));

        provider().stream(model(), canonical(), event -> {}, deadlines());

        var sent = UPSTREAM.lastRequest(model().upstreamModel());
        assertThat(sent).isEqualTo(golden(name() + "-request.json", sent));
    }

    @Test
    void givesTheGoldenEvents() throws Exception {
        if (!callsTools()) {
            return;
        }
        UPSTREAM.script(
                model().upstreamModel(),
                Reply.toolCalls("Checking.", new Reply.Call("call_g", "weather", "{\"city\":\"Oslo\"}")));
        var events = new ArrayList<StreamEvent>();

        provider().stream(model(), canonical(), events::add, deadlines());

        ArrayNode written = JSON.createArrayNode();
        events.stream()
                .filter(event -> !(event instanceof StreamEvent.OpenAiChunk))
                .forEach(event -> written.add(JSON.createObjectNode()
                        .put("event", event.getClass().getSimpleName())
                        .setAll((ObjectNode) JSON.valueToTree(event))));
        assertThat(written).isEqualTo(golden(name() + "-events.json", written));
    }

    static ChatProvider.Deadlines deadlines() {
        var now = Instant.now();
        return new ChatProvider.Deadlines(now.plusSeconds(5), now.plusSeconds(10), Duration.ofSeconds(5));
    }

    /** The golden file; a missing one is written from what was seen, for review, and fails the test. */
    private static JsonNode golden(String file, JsonNode seen) throws IOException {
        var path = GOLDEN.resolve(file);
        if (!Files.exists(path)) {
            Files.createDirectories(GOLDEN);
            Files.writeString(path, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(seen) + "\n");
            throw new AssertionError("no golden " + path + " yet: written from this run; review it and run again");
        }
        return JSON.readTree(Files.readString(path));
    }
}
