package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.IntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseCacheIT extends IntegrationTest {

    @Test
    void secondReadIsAHitWithTheSameBodyAndEntityTag() {
        var account = api().register();
        api().post("/api/conversations", account.token(), "{\"title\":\"cached\"}");

        var first = api().get("/api/conversations", account.token());
        var second = api().get("/api/conversations", account.token());

        assertThat(first.header("X-Cache")).isEqualTo("MISS");
        assertThat(second.header("X-Cache")).isEqualTo("HIT");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.header("ETag")).isEqualTo(first.header("ETag")).startsWith("\"");
        assertThat(second.header("Cache-Control")).isEqualTo("private, no-cache");
    }

    @Test
    void matchingIfNoneMatchAnswers304WithoutABody() {
        var account = api().register();
        var etag = api().get("/api/me", account.token()).header("ETag");

        var revalidated = api().get("/api/me", account.token(), Map.of("If-None-Match", etag));
        var changed = api().get("/api/me", account.token(), Map.of("If-None-Match", "\"something-else\""));

        assertThat(revalidated.status()).isEqualTo(304);
        assertThat(revalidated.body()).isEmpty();
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().get("email").asString()).isEqualTo(account.email());
    }

    @Test
    void aWriteIsSeenOnTheNextRead() {
        var account = api().register();
        var id = api().post("/api/conversations", account.token(), "{\"title\":\"before\"}")
                .json()
                .get("id")
                .asString();
        api().get("/api/conversations/" + id, account.token());
        api().get("/api/conversations", account.token());

        api().patch("/api/conversations/" + id, account.token(), "{\"title\":\"after\"}");
        api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"hello\"}");
        var detail = api().get("/api/conversations/" + id, account.token());
        var list = api().get("/api/conversations", account.token());

        assertThat(detail.header("X-Cache")).isEqualTo("MISS");
        assertThat(detail.json().get("title").asString()).isEqualTo("after");
        assertThat(detail.json().get("messageCount").asInt())
                .as("the message and its answer")
                .isEqualTo(2);
        assertThat(list.json().get("items").get(0).get("title").asString()).isEqualTo("after");
    }

    @Test
    void eachCallerHasTheirOwnEntries() {
        var alice = api().register();
        var bob = api().register();
        api().post("/api/conversations", alice.token(), "{\"title\":\"alice only\"}");
        api().get("/api/conversations", alice.token());

        var bobs = api().get("/api/conversations", bob.token());

        assertThat(bobs.header("X-Cache")).isEqualTo("MISS");
        assertThat(bobs.json().get("items").size()).isZero();
    }

    @Test
    void noCacheRequestBypassesTheCache() {
        var account = api().register();
        api().get("/api/me", account.token());

        var bypassed = api().get("/api/me", account.token(), Map.of("Cache-Control", "no-cache"));

        assertThat(bypassed.header("X-Cache")).isEqualTo("BYPASS");
        assertThat(bypassed.status()).isEqualTo(200);
    }

    @Test
    void queryParametersAreHashedInAnyOrder() {
        var account = api().register();
        for (int i = 0; i < 3; i++) {
            api().post("/api/conversations", account.token(), "{\"title\":\"c" + i + "\"}");
        }

        var first = api().get("/api/conversations?limit=2&cursor=", account.token());
        var reordered = api().get("/api/conversations?cursor=&limit=2", account.token());
        var other = api().get("/api/conversations?limit=1", account.token());

        assertThat(reordered.header("X-Cache")).isEqualTo("HIT");
        assertThat(reordered.body()).isEqualTo(first.body());
        assertThat(other.header("X-Cache")).isEqualTo("MISS");
        assertThat(other.json().get("items").size()).isEqualTo(1);
    }

    @Test
    void responseTimesAreMeasuredByResult() {
        var account = api().register();
        api().get("/api/me", account.token());
        api().get("/api/me", account.token());

        var metrics = api().get("/actuator/prometheus", null).body();

        assertThat(metrics)
                .contains("api_cache_response_time_seconds_bucket{")
                .contains("result=\"hit\"")
                .contains("result=\"miss\"");
    }
}
