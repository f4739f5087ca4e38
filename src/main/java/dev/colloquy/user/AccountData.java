package dev.colloquy.user;

import java.io.IOException;
import java.util.UUID;

/**
 * What one feature holds of an account. Each module that keeps rows or cache entries of an account
 * implements it, so that the account's export holds all of it and its deletion leaves none of it.
 */
public interface AccountData {

    /** Writes the account's data as entries of its export archive. */
    void export(UUID userId, AccountArchive archive) throws IOException;

    /**
     * Erases the account's data, in the transaction that deletes the account and before its row
     * goes. Cache entries whose keys hold the account's id are dropped on every replica after the
     * transaction commits; what is cached under other keys is evicted here.
     */
    void erase(UUID userId);
}
