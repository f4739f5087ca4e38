package dev.colloquy.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.IntegrationTest;
import dev.colloquy.platform.KeysetPosition;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A page deep inside a large conversation is read from the index: no sequential scan, no sort. */
class KeysetPlanIT extends IntegrationTest {

    @Autowired
    ConversationManagement conversations;

    @Autowired
    JdbcClient jdbc;

    @Test
    void deepMessagePageUsesTheIndexWithoutScanOrSort() {
        var account = api().register();
        var busy = conversations.start(account.id(), "busy", null, null);
        var quiet = conversations.start(account.id(), "quiet", null, null);
        for (int batch = 0; batch < 4; batch++) {
            conversations.importMessages(account.id(), busy.id(), messages(10_000, "busy"));
            conversations.importMessages(account.id(), quiet.id(), messages(2_000, "quiet"));
        }
        jdbc.sql("analyze messages").update();
        var deep = jdbc.sql("select created_at, id from messages where conversation_id = :id and seq = 35000")
                .param("id", busy.id())
                .query((rs, row) ->
                        new KeysetPosition(rs.getTimestamp("created_at").toInstant(), rs.getObject("id", UUID.class)))
                .single();

        var plan = jdbc.sql("explain (format json) " + Messages.NEXT_PAGE)
                .param("conversationId", busy.id())
                .param("at", deep.at().atOffset(ZoneOffset.UTC))
                .param("id", deep.id())
                .param("limit", 51)
                .query(String.class)
                .single();

        assertThat(plan).containsPattern("messages_p\\d{4}_\\d{2}_conversation_id_created_at_id_idx");
        assertThat(plan).doesNotContain("\"Seq Scan\"").doesNotContain("\"Sort\"");
    }

    private static java.util.List<NewMessage> messages(int count, String prefix) {
        var batch = new ArrayList<NewMessage>(count);
        for (int i = 0; i < count; i++) {
            batch.add(NewMessage.fromUser(prefix + " message " + i));
        }
        return batch;
    }
}
