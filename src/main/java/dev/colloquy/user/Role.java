package dev.colloquy.user;

/** What an account may do: everything its own, or also the admin endpoints. */
public enum Role {
    USER,
    ADMIN
}
