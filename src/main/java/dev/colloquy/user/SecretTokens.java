package dev.colloquy.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Opaque bearer secrets: a type prefix (so a leaked one is recognisable and routed to the right store)
 * and 256 random bits. Only their SHA-256 is stored: with that much entropy a slow hash adds nothing.
 */
public final class SecretTokens {

    public static final String SESSION_PREFIX = "cqs_";
    public static final String API_KEY_PREFIX = "cqk_";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Cloned for each hash: a shared digest is not safe to use from two threads. */
    private static final MessageDigest SHA_256 = sha256();

    private SecretTokens() {}

    public static String generate(String prefix) {
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The SHA-256 of the token; every API call hashes its key, so the digest is cloned, not looked up. */
    public static byte[] hash(String token) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            digest = sha256();
        }
        return digest.digest(token.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
