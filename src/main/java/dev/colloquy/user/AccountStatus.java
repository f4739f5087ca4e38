package dev.colloquy.user;

/** Whether an account is in: waiting for an admin's approval, in, or shut out by an admin. */
public enum AccountStatus {
    PENDING,
    ACTIVE,
    DISABLED
}
