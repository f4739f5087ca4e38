package dev.colloquy.llm.spend;

import dev.colloquy.user.AccountArchive;
import dev.colloquy.user.AccountData;
import java.io.IOException;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * An account's model calls and cached answers. The export lists every call in the usage ledger. On
 * deletion the ledger keeps each call's model, tokens, cost and time, without the account and its
 * conversation (what was spent must still add up); the semantic cache's questions and answers go.
 * The exact cache's entries are keyed by the account's id, so they go after the deletion commits.
 */
@Component
class LedgerAccountData implements AccountData {

    private static final String USAGE = """
            select created_at as at, id,
                   json_build_object('id', id, 'conversationId', conversation_id, 'model', model,
                                     'provider', provider, 'status', status, 'inputTokens', input_tokens,
                                     'outputTokens', output_tokens, 'cachedInputTokens', cached_input_tokens,
                                     'reasoningTokens', reasoning_tokens, 'costUsd', cost_usd,
                                     'savedUsd', saved_usd, 'latencyMs', latency_ms, 'createdAt', created_at)::text as line
              from llm_usage
             where user_id = :userId
               and (cast(:afterAt as timestamptz) is null or (created_at, id) > (cast(:afterAt as timestamptz), cast(:afterId as uuid)))
             order by created_at, id
             limit :limit
            """;

    private final JdbcClient jdbc;

    LedgerAccountData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void export(UUID userId, AccountArchive archive) throws IOException {
        archive.jsonLines("usage.jsonl", jdbc, USAGE, userId);
    }

    @Override
    public void erase(UUID userId) {
        anonymise(userId);
        jdbc.sql("delete from llm_cache_entries where user_id = :userId")
                .param("userId", userId)
                .update();
        // a call queued on some replica while the account was deleted is written without its id (the
        // ledger looks the account up as it writes); one written during the deletion is caught here
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                anonymise(userId);
            }
        });
    }

    private void anonymise(UUID userId) {
        jdbc.sql("update llm_usage set user_id = null, conversation_id = null where user_id = :userId")
                .param("userId", userId)
                .update();
    }
}
