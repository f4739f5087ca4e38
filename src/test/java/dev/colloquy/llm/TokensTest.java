package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

class TokensTest {

    private static final com.knuddels.jtokkit.api.Encoding CL100K =
            Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    @Test
    void aRememberedCountIsTheCountOfThatTextNotOfAnotherOfTheSameLength() {
        var english = "The cache keeps each count by the text itself. ".repeat(20);
        var other = new StringBuilder(english).reverse().toString(); // same length, other tokens
        var chinese = "建议把会话缓存的过期时间设为十五分钟。".repeat(30);

        for (int round = 0; round < 2; round++) {
            assertThat(Tokens.count(english)).isEqualTo(CL100K.countTokensOrdinary(english));
            assertThat(Tokens.count(other)).isEqualTo(CL100K.countTokensOrdinary(other));
            assertThat(Tokens.count(chinese)).isEqualTo(CL100K.countTokensOrdinary(chinese));
            // a new String with the same content, as a message read again from the database is
            assertThat(Tokens.count(new String(english.toCharArray()))).isEqualTo(Tokens.count(english));
        }
        assertThat(Tokens.count(english)).isNotEqualTo(Tokens.count(other));
        assertThat(Tokens.count("short")).isEqualTo(CL100K.countTokensOrdinary("short"));
    }
}
