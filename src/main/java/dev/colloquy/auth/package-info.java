/** Authentication: login, bearer session tokens, the security filter chain. */
@NullMarked
package dev.colloquy.auth;

import org.jspecify.annotations.NullMarked;
