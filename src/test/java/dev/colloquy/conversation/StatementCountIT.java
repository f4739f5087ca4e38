package dev.colloquy.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every list endpoint runs the same few statements whatever its page size: no N+1. The requests ask
 * to bypass the response cache, so the statements are those of a cache miss.
 */
class StatementCountIT extends IntegrationTest {

    private Api.Account account;
    private String conversationId;

    @BeforeEach
    void populate() {
        account = api().register();
        for (int i = 0; i < 30; i++) {
            var id = api().post("/api/conversations", account.token(), "{\"title\":\"topic " + i + "\"}")
                    .json()
                    .get("id")
                    .asString();
            api().post(
                            "/api/conversations/" + id + "/messages/import",
                            account.token(),
                            "{\"messages\":[{\"role\":\"user\",\"content\":\"searchable words " + i + "\"}]}");
            conversationId = id;
        }
        var batch = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 200; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"role\":\"user\",\"content\":\"searchable line ")
                    .append(i)
                    .append("\"}");
        }
        api().post(
                        "/api/conversations/" + conversationId + "/messages/import",
                        account.token(),
                        batch.append("]}").toString());
    }

    @Test
    void conversationListRunsOneStatementWhateverThePageSize() {
        assertSameStatementsForAnyPageSize("/api/conversations?limit=", 1);
    }

    @Test
    void messageListRunsTwoStatementsWhateverThePageSize() {
        assertSameStatementsForAnyPageSize("/api/conversations/" + conversationId + "/messages?limit=", 2);
    }

    @Test
    void searchRunsOneStatementWhateverThePageSize() {
        assertSameStatementsForAnyPageSize("/api/search?q=searchable&limit=", 1);
    }

    private void assertSameStatementsForAnyPageSize(String path, int featureStatements) {
        var small = featureStatements(path + 1);
        var large = featureStatements(path + 100);

        assertThat(small).hasSize(featureStatements);
        assertThat(large).hasSize(featureStatements);
    }

    /** The statements a request ran for the feature itself, leaving out the bearer-token lookup. */
    private List<String> featureStatements(String path) {
        var requestId = "count-" + UUID.randomUUID();
        var response = api().get(path, account.token(), Map.of("X-Request-Id", requestId, "Cache-Control", "no-cache"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Request-Id")).isEqualTo(requestId);
        var all = statementLog.statementsOf(requestId);
        var authentication = all.stream()
                .filter(sql -> sql.contains("from sessions") || sql.contains("from users"))
                .toList();
        assertThat(authentication).hasSizeLessThanOrEqualTo(2);
        return all.stream().filter(sql -> !authentication.contains(sql)).toList();
    }
}
