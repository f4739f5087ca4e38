package dev.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.conversation.ImageBytes;
import dev.colloquy.conversation.Message;
import dev.colloquy.conversation.MessageImage;
import dev.colloquy.conversation.MessageRole;
import dev.colloquy.conversation.MessageStatus;
import dev.colloquy.llm.ContentPart;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.TestModels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TurnContextTest {

    private static final UUID CONVERSATION = UUID.randomUUID();

    @Test
    void sendsTheNewestImagesThatFitATurnAndNamesTheOlderOnes() {
        var old = image(3_000);
        var middle = image(4_000);
        var newest = image(5_000);
        var history = List.of(
                question(1, "first", old),
                answer(2),
                question(3, "second", middle),
                answer(4),
                question(5, "third", newest));
        var asked = new ArrayList<UUID>();

        var context = TurnContext.of(
                model(true),
                null,
                List.of(),
                history,
                ids -> {
                    asked.addAll(ids);
                    var bytes = new HashMap<UUID, ImageBytes>();
                    ids.forEach(id -> bytes.put(id, new ImageBytes("image/png", new byte[] {1, 2, 3})));
                    return bytes;
                },
                9_500);

        assertThat(asked).as("only the bytes of the images sent are read").containsExactly(newest.id(), middle.id());
        assertThat(parts(context.get(4))).hasExactlyElementsOfTypes(ContentPart.Text.class, ContentPart.Image.class);
        assertThat(parts(context.get(2))).hasExactlyElementsOfTypes(ContentPart.Text.class, ContentPart.Image.class);
        assertThat(parts(context.get(0))).hasExactlyElementsOfTypes(ContentPart.Text.class, ContentPart.Text.class);
        assertThat(context.get(0).text()).startsWith("first").contains("not sent again");
    }

    @Test
    void aModelWithoutImagesIsToldAnImageWasThereAndNoBytesAreRead() {
        var history = List.of(question(1, "what is this?", image(100)));

        var context = TurnContext.of(
                model(false),
                null,
                List.of(),
                history,
                ids -> {
                    throw new AssertionError("no image is read for a model that does not take them");
                },
                1_000_000);

        assertThat(context.getFirst().text()).contains("does not take images");
        assertThat(parts(context.getFirst())).allMatch(ContentPart.Text.class::isInstance);
    }

    private static List<ContentPart> parts(LlmMessage message) {
        return ((LlmMessage.User) message).parts();
    }

    private static MessageImage image(int size) {
        return new MessageImage(UUID.randomUUID(), "image/png", 100, 100, size);
    }

    private static Message question(int seq, String text, MessageImage image) {
        return message(seq, MessageRole.USER, text, List.of(image));
    }

    private static Message answer(int seq) {
        return message(seq, MessageRole.ASSISTANT, "an answer", List.of());
    }

    private static Message message(int seq, MessageRole role, String text, List<MessageImage> images) {
        return new Message(
                UUID.randomUUID(),
                CONVERSATION,
                seq,
                seq - 1,
                role,
                text,
                null,
                MessageStatus.COMPLETE,
                null,
                null,
                null,
                Instant.now(),
                List.of(),
                images,
                List.of());
    }

    private static LlmModel model(boolean images) {
        return TestModels.openAi("m", 100_000, images);
    }
}
