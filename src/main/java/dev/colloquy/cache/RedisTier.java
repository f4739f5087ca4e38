package dev.colloquy.cache;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.api.async.RedisServerAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * Redis as the shared tier, through Spring Data Redis on Lettuce (one multiplexed connection). Every
 * call runs through the circuit breaker and is timed; compound steps run as Lua scripts, so each is
 * one atomic round trip. Keys of one entry share a hash tag, so the scripts also run on Redis Cluster.
 */
final class RedisTier implements SharedTier {

    private static final RedisScript<Long> PUT_GUARDED = RedisScript.of("""
            local t = redis.call('GET', KEYS[2])
            if t and tonumber(t) >= tonumber(ARGV[3]) then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1
            """, Long.class);

    private static final RedisScript<Long> EVICT = RedisScript.of("""
            redis.call('UNLINK', KEYS[1])
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
            return 1
            """, Long.class);

    private static final RedisScript<String> GENERATION = RedisScript.of("""
            local v = redis.call('GET', KEYS[1])
            if v then return v end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return ARGV[1]
            """, String.class);

    private static final RedisScript<String> BUMP = RedisScript.of("""
            local v = tonumber(redis.call('GET', KEYS[1]) or '0')
            local n = math.max(v + 1, tonumber(ARGV[1]))
            redis.call('SET', KEYS[1], string.format('%d', n), 'PX', ARGV[2])
            return string.format('%d', n)
            """, String.class);

    private static final Logger log = LoggerFactory.getLogger(RedisTier.class);

    private final RedisTemplate<String, byte[]> redis;
    private final RedisMessageListenerContainer listeners;
    private final CircuitBreaker breaker;
    private final CacheMetrics metrics;

    RedisTier(
            RedisConnectionFactory connections,
            RedisMessageListenerContainer listeners,
            CircuitBreaker breaker,
            CacheMetrics metrics) {
        this.redis = new RedisTemplate<>();
        redis.setConnectionFactory(connections);
        redis.setKeySerializer(RedisSerializer.string());
        redis.setValueSerializer(RedisSerializer.byteArray());
        redis.setHashKeySerializer(RedisSerializer.string());
        redis.setHashValueSerializer(RedisSerializer.byteArray());
        redis.afterPropertiesSet();
        this.listeners = listeners;
        this.breaker = breaker;
        this.metrics = metrics;
    }

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public byte @Nullable [] get(String key) {
        return call("get", () -> redis.opsForValue().get(key));
    }

    @Override
    public boolean put(String key, String tombstoneKey, byte[] value, Duration ttl, long loadStartedMillis) {
        Long stored = call(
                "put",
                () -> redis.execute(
                        PUT_GUARDED,
                        RedisSerializer.byteArray(),
                        longResult(),
                        List.of(key, tombstoneKey),
                        value,
                        bytes(ttl.toMillis()),
                        bytes(loadStartedMillis)));
        return stored != null && stored == 1L;
    }

    @Override
    public void putPlain(String key, byte[] value, Duration ttl) {
        call("put", () -> {
            redis.opsForValue().set(key, value, ttl);
            return null;
        });
    }

    @Override
    public void evict(String key, String tombstoneKey, long nowMillis, Duration tombstoneTtl) {
        call(
                "evict",
                () -> redis.execute(
                        EVICT,
                        RedisSerializer.byteArray(),
                        longResult(),
                        List.of(key, tombstoneKey),
                        bytes(nowMillis),
                        bytes(tombstoneTtl.toMillis())));
    }

    @Override
    public long generation(String key, long initial, Duration ttl) {
        return generationScript("generation", GENERATION, key, initial, ttl);
    }

    @Override
    public long bumpGeneration(String key, long floor, Duration ttl) {
        return generationScript("bump", BUMP, key, floor, ttl);
    }

    private long generationScript(String operation, RedisScript<String> script, String key, long value, Duration ttl) {
        String result = call(
                operation,
                () -> redis.execute(
                        script,
                        RedisSerializer.byteArray(),
                        RedisSerializer.string(),
                        List.of(key),
                        bytes(value),
                        bytes(ttl.toMillis())));
        return result == null ? value : Long.parseLong(result);
    }

    @Override
    public long unlinkMatching(String glob) {
        Long removed = call(
                "unlink",
                () -> redis.execute((RedisCallback<Long>) connection -> {
                    long count = 0;
                    var batch = new ArrayList<byte[]>(500);
                    for (var scan : scans(connection, glob)) {
                        try (var cursor = scan) {
                            while (cursor.hasNext()) {
                                batch.add(cursor.next());
                                if (batch.size() == 500) {
                                    count += unlink(connection, batch);
                                }
                            }
                        }
                    }
                    return count + unlink(connection, batch);
                }));
        return removed == null ? 0 : removed;
    }

    @Override
    public void publish(String channel, String message) {
        call("publish", () -> redis.convertAndSend(channel, message.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Listens on the channel. A Redis that cannot be reached (or is slow) at start does not stop the
     * service from starting: the subscription is retried in the background every second until it
     * holds, and until then this replica trusts its in-process tier only briefly (see TwoTierCache).
     */
    @Override
    public void subscribe(String channel, Consumer<String> listener) {
        MessageListener adapter =
                (message, pattern) -> listener.accept(new String(message.getBody(), StandardCharsets.UTF_8));
        var topic = new ChannelTopic(channel);
        try {
            listeners.addMessageListener(adapter, topic);
        } catch (RuntimeException e) {
            log.warn("Cannot subscribe to {} yet ({}); retrying every second in the background", channel, e.toString());
            Thread.ofVirtual().name("redis-subscribe-" + channel).start(() -> {
                for (int attempt = 1; ; attempt++) {
                    try {
                        Thread.sleep(Duration.ofSeconds(1));
                        listeners.addMessageListener(adapter, topic);
                        log.warn("Subscribed to {} after {} retries", channel, attempt);
                        return;
                    } catch (InterruptedException interrupted) {
                        return;
                    } catch (RuntimeException again) {
                        log.debug("Subscription to {} failed again: {}", channel, again.toString());
                    }
                }
            });
        }
    }

    @Override
    public Map<String, String> info() {
        var info = call(
                "info",
                () -> redis.execute((RedisCallback<java.util.Properties>)
                        connection -> connection.serverCommands().info()));
        var facts = new LinkedHashMap<String, String>();
        if (info != null) {
            for (var name : List.of(
                    "redis_version",
                    "used_memory",
                    "maxmemory",
                    "evicted_keys",
                    "expired_keys",
                    "keyspace_hits",
                    "keyspace_misses",
                    "connected_clients")) {
                var value = info.getProperty(name);
                if (value != null) {
                    facts.put(name, value);
                }
            }
        }
        return facts;
    }

    @Override
    public KeySample sample(String glob, int maxKeys) {
        var sample = call(
                "sample",
                () -> redis.execute((RedisCallback<KeySample>) connection -> {
                    long keys = 0;
                    long sampledBytes = 0;
                    long sampled = 0;
                    double ttlSum = 0;
                    int ttlCount = 0;
                    for (var scan : scans(connection, glob)) {
                        try (var cursor = scan) {
                            while (cursor.hasNext() && keys < maxKeys) {
                                var key = cursor.next();
                                keys++;
                                if (sampled < 20) {
                                    var usage = memoryUsage(connection, key);
                                    if (usage != null) {
                                        sampledBytes += usage;
                                        sampled++;
                                    }
                                    Long ttl = connection.keyCommands().pTtl(key);
                                    if (ttl != null && ttl > 0) {
                                        ttlSum += ttl / 1000.0;
                                        ttlCount++;
                                    }
                                }
                            }
                        }
                    }
                    long bytes = sampled == 0 ? 0 : Math.round((double) sampledBytes / sampled * keys);
                    return new KeySample(keys, bytes, ttlCount == 0 ? 0 : ttlSum / ttlCount);
                }));
        return sample == null ? new KeySample(0, 0, 0) : sample;
    }

    @Override
    public void onOutage(Runnable listener) {
        breaker.getEventPublisher().onStateTransition(event -> {
            if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                listener.run();
            }
        });
    }

    @Override
    public void close() {
        try {
            listeners.destroy();
        } catch (Exception e) {
            // shutting down: the connection factory closes the connections anyway
        }
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    private <T> @Nullable T call(String operation, Supplier<@Nullable T> action) {
        long started = System.nanoTime();
        try {
            return breaker.executeSupplier(action::get);
        } catch (CallNotPermittedException e) {
            metrics.error(operation);
            throw new SharedTierUnavailable("the Redis circuit breaker is open", e);
        } catch (RuntimeException e) {
            metrics.error(operation);
            throw new SharedTierUnavailable("Redis " + operation + " failed: " + e.getMessage(), e);
        } finally {
            metrics.operation(operation, "l2", System.nanoTime() - started);
        }
    }

    /** {@code MEMORY USAGE}, which Spring Data does not expose: asked of Lettuce directly. */
    @SuppressWarnings("unchecked")
    private static @Nullable Long memoryUsage(RedisConnection connection, byte[] key) {
        try {
            if (connection.getNativeConnection() instanceof RedisServerAsyncCommands<?, ?> commands) {
                return ((RedisServerAsyncCommands<byte[], byte[]>) commands)
                        .memoryUsage(key)
                        .get(1, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /**
     * Cursors over every key matching the glob: one on a single server; on a Cluster one per master
     * that is not marked failed. A Cluster-wide SCAN would also go to a master that died, and fail
     * until it is back: every pattern invalidation failed after a failover and the breaker never
     * closed again (RedisClusterIT).
     */
    private static List<Cursor<byte[]>> scans(RedisConnection connection, String glob) {
        var options = ScanOptions.scanOptions().match(glob).count(1000).build();
        if (connection instanceof RedisClusterConnection cluster) {
            var cursors = new ArrayList<Cursor<byte[]>>();
            for (var node : cluster.clusterGetNodes()) {
                if (node.isMaster() && !node.isMarkedAsFail()) {
                    cursors.add(cluster.scan(node, options));
                }
            }
            return cursors;
        }
        return List.of(connection.keyCommands().scan(options));
    }

    private static long unlink(RedisConnection connection, List<byte[]> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        Long removed = connection.keyCommands().unlink(batch.toArray(byte[][]::new));
        batch.clear();
        return removed == null ? 0 : removed;
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static RedisSerializer<Long> longResult() {
        return new RedisSerializer<>() {
            @Override
            public byte[] serialize(@Nullable Long value) {
                return value == null ? new byte[0] : bytes(value);
            }

            @Override
            public @Nullable Long deserialize(byte @Nullable [] bytes) {
                return bytes == null ? null : Long.parseLong(new String(bytes, StandardCharsets.US_ASCII));
            }
        };
    }
}
