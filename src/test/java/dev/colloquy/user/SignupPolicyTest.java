package dev.colloquy.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SignupPolicyTest {

    @Test
    void openLetsAnyoneInAtOnceAndApprovalMakesThemWait() {
        assertThat(SignupPolicy.OPEN.admit(true, false)).isEqualTo(AccountStatus.ACTIVE);
        assertThat(SignupPolicy.APPROVAL.admit(true, false)).isEqualTo(AccountStatus.PENDING);
    }

    @Test
    void inviteAndClosedLetInOnlyInvitedAccounts() {
        assertThat(SignupPolicy.INVITE.admit(true, true)).isEqualTo(AccountStatus.ACTIVE);
        assertThat(SignupPolicy.CLOSED.admit(false, true)).isEqualTo(AccountStatus.ACTIVE);
        assertThatThrownBy(() -> SignupPolicy.INVITE.admit(true, false)).hasMessageContaining("needs an invite");
        assertThatThrownBy(() -> SignupPolicy.CLOSED.admit(true, false)).hasMessageContaining("closed");
    }

    @Test
    void refusesDomainsOutsideTheAllowListUnlessInvited() {
        assertThatThrownBy(() -> SignupPolicy.OPEN.admit(false, false)).hasMessageContaining("allowed domain");
        assertThat(SignupPolicy.APPROVAL.admit(false, true)).isEqualTo(AccountStatus.ACTIVE);
    }

    @Test
    void readsTheDomainOfAnEmail() {
        var properties = new SignupProperties(
                SignupPolicy.OPEN, java.util.List.of(" Colloquy.Test "), java.time.Duration.ofDays(1));

        assertThat(properties.allows("a@colloquy.test")).isTrue();
        assertThat(properties.allows("a@evil-colloquy.test")).isFalse();
        assertThat(properties.allows("a@colloquy.test.evil")).isFalse();
    }
}
