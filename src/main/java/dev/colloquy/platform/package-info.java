/** Shared infrastructure: embedded PostgreSQL, ids, keyset cursors, COPY writer, partitions, query metrics. */
@ApplicationModule(type = ApplicationModule.Type.OPEN)
@NullMarked
package dev.colloquy.platform;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
