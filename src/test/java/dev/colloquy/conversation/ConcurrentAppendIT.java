package dev.colloquy.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.IntegrationTest;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ConcurrentAppendIT extends IntegrationTest {

    @Test
    void concurrentAppendsKeepOneOrderAndTheRightCount() throws Exception {
        var account = api().register();
        var id = api().post("/api/conversations", account.token(), "{}")
                .json()
                .get("id")
                .asString();
        int writers = 16;
        int each = 10;

        try (var pool = Executors.newFixedThreadPool(writers)) {
            var tasks = new ArrayList<Callable<Integer>>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                tasks.add(() -> {
                    int ok = 0;
                    for (int i = 0; i < each; i++) {
                        var response = api().post(
                                        "/api/conversations/" + id + "/messages/import",
                                        account.token(),
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"writer " + writer + " message "
                                                + i + "\"}]}");
                        ok += response.status() == 201 ? 1 : 0;
                    }
                    return ok;
                });
            }
            int created = 0;
            for (var result : pool.invokeAll(tasks)) {
                created += result.get();
            }
            assertThat(created).isEqualTo(writers * each);
        }

        var seqs = new ArrayList<Integer>();
        var perWriter = new java.util.HashMap<String, Integer>();
        String cursor = null;
        do {
            var page = api().get(
                            "/api/conversations/" + id + "/messages?limit=100"
                                    + (cursor == null ? "" : "&cursor=" + cursor),
                            account.token())
                    .json();
            page.get("items").forEach(item -> {
                seqs.add(item.get("seq").asInt());
                var parts = item.get("content").asString().split(" ");
                int index = Integer.parseInt(parts[3]);
                var previous = perWriter.put(parts[1], index);
                assertThat(previous == null ? -1 : previous).isLessThan(index);
            });
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asString();
        } while (cursor != null);

        var expected = new ArrayList<Integer>();
        for (int i = 1; i <= writers * each; i++) {
            expected.add(i);
        }
        assertThat(seqs).containsExactlyElementsOf(expected);
        assertThat(api().get("/api/conversations/" + id, account.token())
                        .json()
                        .get("messageCount")
                        .asInt())
                .isEqualTo(writers * each);
    }
}
