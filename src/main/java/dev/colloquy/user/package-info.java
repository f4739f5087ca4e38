/** Accounts: registration, password hashing, roles, API keys. */
@NullMarked
package dev.colloquy.user;

import org.jspecify.annotations.NullMarked;
