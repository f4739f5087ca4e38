/** Authentication: login, bearer session tokens, the security filter chain. */
@ApplicationModule(allowedDependencies = {"cache", "platform", "user", "web"})
@NullMarked
package dev.colloquy.auth;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
