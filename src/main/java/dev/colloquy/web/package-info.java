/** The HTTP edge shared by every feature: problem responses, request ids, body limits, idempotency keys. */
@ApplicationModule(type = ApplicationModule.Type.OPEN)
@NullMarked
package dev.colloquy.web;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
