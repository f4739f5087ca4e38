package dev.colloquy.user;

import org.jspecify.annotations.Nullable;

/**
 * Who an identity provider says signed in.
 *
 * @param provider the provider's registration id in Colloquy
 * @param subject the provider's stable id of the person ({@code sub})
 * @param email their email address, if the provider gave one
 * @param emailVerified whether the provider vouches for the address (or is trusted to)
 * @param displayName their name, or the email when the provider gave none
 * @param role the role their claims map to; null when the provider does not decide roles
 */
public record ExternalIdentity(
        String provider,
        String subject,
        @Nullable String email,
        boolean emailVerified,
        String displayName,
        @Nullable Role role) {}
