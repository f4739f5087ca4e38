/**
 * The two-tier cache: a bounded in-process tier in front of Redis, namespaces with their own TTLs,
 * invalidation across replicas, response caching, a circuit breaker around Redis, and cache metrics.
 */
@ApplicationModule(allowedDependencies = {"web"})
@NullMarked
package dev.colloquy.cache;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
