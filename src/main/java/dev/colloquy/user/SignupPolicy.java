package dev.colloquy.user;

/**
 * Who may create an account ({@code COLLOQUY_AUTH_SIGNUP}). Whatever the policy, the first account of
 * an installation and those in {@code COLLOQUY_ADMIN_EMAILS} become active admins, and an admin's
 * invite lets its holder in.
 */
public enum SignupPolicy {
    /** anyone, at once */
    OPEN,
    /** anyone, waiting for an admin's approval */
    APPROVAL,
    /** only with an invite */
    INVITE,
    /** nobody */
    CLOSED;

    /** What an account registered now starts as; throws when it may not be created. */
    AccountStatus admit(boolean domainAllowed, boolean invited) {
        if (invited) {
            return AccountStatus.ACTIVE;
        }
        if (this == CLOSED) {
            throw new SignupRefused(
                    "signup-closed", "Sign-up is closed on this installation; ask an admin for an invite");
        }
        if (!domainAllowed) {
            throw new SignupRefused(
                    "signup-domain", "Accounts on this installation need an email address of an allowed domain");
        }
        return switch (this) {
            case OPEN -> AccountStatus.ACTIVE;
            case APPROVAL -> AccountStatus.PENDING;
            default -> throw new SignupRefused("invite-required", "Sign-up on this installation needs an invite");
        };
    }
}
