package dev.colloquy.user;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UserAccountsTest {

    /** The parameters part of an Argon2 hash: {@code $argon2id$v=19$m=16384,t=2,p=1$}. */
    private static String parameters(String hash) {
        return hash.substring(0, hash.indexOf('$', hash.indexOf("m=")) + 1);
    }

    @Test
    void anUnknownEmailIsCheckedAgainstAHashOfTheParametersPasswordsAreHashedWith() {
        var fresh = UserAccounts.PASSWORDS.encode("a password of a real account");

        assertThat(parameters(UserAccounts.UNKNOWN_USER_HASH)).isEqualTo(parameters(fresh));
        assertThat(UserAccounts.UNKNOWN_USER_HASH).hasSameSizeAs(fresh);
        assertThat(UserAccounts.PASSWORDS.matches("colloquy-timing-equaliser", UserAccounts.UNKNOWN_USER_HASH))
                .isFalse();
    }
}
