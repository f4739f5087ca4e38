package dev.colloquy.user;

import java.time.Instant;
import java.util.UUID;

/** An API key as listed to its owner: never the secret itself, only its first characters. */
public record ApiKey(UUID id, String name, String prefix, AccessScope scope, Instant createdAt) {}
