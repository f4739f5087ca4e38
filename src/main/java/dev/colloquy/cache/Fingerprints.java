package dev.colloquy.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shape of a cached type as a short hash, part of every key: a deploy that changes a record's
 * components reads and writes under new keys, never an old value of another shape.
 */
final class Fingerprints {

    private static final Map<Class<?>, String> KNOWN = new ConcurrentHashMap<>();

    private Fingerprints() {}

    static String of(Class<?> type) {
        return KNOWN.computeIfAbsent(type, Fingerprints::compute);
    }

    private static String compute(Class<?> type) {
        var shape = new StringBuilder(type.getName());
        if (type.isRecord()) {
            for (var component : type.getRecordComponents()) {
                shape.append('|')
                        .append(component.getName())
                        .append(':')
                        .append(component.getGenericType().getTypeName());
            }
        }
        try {
            var digest =
                    MessageDigest.getInstance("SHA-256").digest(shape.toString().getBytes(StandardCharsets.UTF_8));
            return "v" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
