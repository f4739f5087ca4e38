package dev.colloquy.user;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/api-keys")
class ApiKeyController {

    record CreateApiKey(
            @NotBlank
            @Size(max = 100)
            @Pattern(regexp = "[^\\x00-\\x1f\\x7f]*+", message = "must not contain control characters")
            String name,

            @Nullable @Pattern(regexp = "full|chat", message = "must be 'full' or 'chat'")
            String scope,

            @Nullable @Positive @Max(1_000_000) Integer requestsPerMinute,

            @Nullable @Positive @Max(1_000_000_000) Integer tokensPerMinute,

            @Nullable @Positive @Max(3_650) Integer expiresInDays,

            @Nullable @Size(min = 1, max = 100) List<@NotBlank @Size(max = 200) String> models) {}

    record ApiKeyView(
            UUID id,
            String name,
            String prefix,
            String scope,
            Instant createdAt,
            @Nullable Integer requestsPerMinute,
            @Nullable Integer tokensPerMinute,
            @Nullable Instant expiresAt,
            @Nullable List<String> models,
            @Nullable Instant lastUsedAt,
            @Nullable String key) {

        static ApiKeyView of(ApiKey key, @Nullable String secret) {
            return new ApiKeyView(
                    key.id(),
                    key.name(),
                    key.prefix(),
                    key.scope().wireName(),
                    key.createdAt(),
                    key.requestsPerMinute(),
                    key.tokensPerMinute(),
                    key.expiresAt(),
                    key.models(),
                    key.lastUsedAt(),
                    secret);
        }
    }

    record ApiKeyList(List<ApiKeyView> items) {}

    private final ApiKeyManagement keys;
    private final KnownModels knownModels;

    ApiKeyController(ApiKeyManagement keys, KnownModels knownModels) {
        this.keys = keys;
        this.knownModels = knownModels;
    }

    @PostMapping
    ResponseEntity<ApiKeyView> create(
            @AuthenticationPrincipal CurrentUser caller, @Valid @RequestBody CreateApiKey request) {
        var scope = request.scope() == null ? AccessScope.FULL : AccessScope.fromWire(request.scope());
        var expiresAt = request.expiresInDays() == null
                ? null
                : Instant.now().plus(java.time.Duration.ofDays(request.expiresInDays()));
        var created = keys.create(
                caller.id(),
                request.name(),
                scope,
                request.requestsPerMinute(),
                request.tokensPerMinute(),
                expiresAt,
                knownModels.check("models", request.models()));
        return ResponseEntity.created(
                        URI.create("/api/api-keys/" + created.key().id()))
                .body(ApiKeyView.of(created.key(), created.secret()));
    }

    @GetMapping
    ApiKeyList list(@AuthenticationPrincipal CurrentUser caller) {
        return new ApiKeyList(keys.list(caller.id()).stream()
                .map(key -> ApiKeyView.of(key, null))
                .toList());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@AuthenticationPrincipal CurrentUser caller, @PathVariable UUID id) {
        keys.revoke(caller.id(), id);
    }
}
