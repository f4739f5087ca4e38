package dev.colloquy.user;

import java.time.Instant;
import java.util.UUID;

/** An account as its owner sees it. */
public record User(UUID id, String email, String displayName, Role role, Instant createdAt, AccountStatus status) {}
