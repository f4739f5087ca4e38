package dev.colloquy.user;

import dev.colloquy.web.NotFound;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** Everything an account owns as one ZIP archive: the account, its API keys, and every feature's data. */
@Service
public class AccountExport {

    private static final String README = """
            Colloquy account export
            =======================
            account.json        the account: email, name, role, status, budget and models
            api-keys.json       the account's live API keys: names, scopes, limits, last use (never the secrets)
            conversations.jsonl one conversation per line
            messages.jsonl      one message per line, oldest first, with its conversation's id
            documents.jsonl     one uploaded document per line: name, type, size, status
            documents/<id>/     passages.jsonl: the text Colloquy read from the document, passage by passage;
                                a document still being read also has its file as uploaded (files are
                                not kept once read)
            usage.jsonl         one model call per line from the usage ledger: model, tokens, cost
            """;

    private final UserAccounts accounts;
    private final ApiKeyManagement apiKeys;
    private final List<AccountData> features;
    private final JsonMapper json;

    AccountExport(UserAccounts accounts, ApiKeyManagement apiKeys, List<AccountData> features, JsonMapper json) {
        this.accounts = accounts;
        this.apiKeys = apiKeys;
        this.features = List.copyOf(features);
        this.json = json;
    }

    /** Writes the archive to the stream, entry by entry. */
    public void write(UUID userId, OutputStream out) throws IOException {
        var user = accounts.find(userId).orElseThrow(() -> new NotFound("Account"));
        var archive = new AccountArchive(out, json);
        archive.bytes("README.txt", README.getBytes(StandardCharsets.UTF_8));
        archive.json("account.json", user);
        archive.json("api-keys.json", apiKeys.list(userId));
        for (var feature : features) {
            feature.export(userId, archive);
        }
        archive.json("export.json", java.util.Map.of("exportedAt", Instant.now(), "format", 1));
        archive.finish();
    }
}
