/** Accounts: registration, password hashing, roles, API keys. */
@ApplicationModule(allowedDependencies = {"cache", "platform", "web"})
@NullMarked
package dev.colloquy.user;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
