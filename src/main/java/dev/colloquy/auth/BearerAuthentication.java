package dev.colloquy.auth;

import dev.colloquy.user.CurrentUser;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A request authenticated by a bearer token; its name is the account id. */
final class BearerAuthentication extends AbstractAuthenticationToken {

    static final String FULL_ACCESS = "SCOPE_full";

    /** Held by accounts that are in; one waiting for approval holds none of the others either. */
    static final String ACTIVE = "ACCOUNT_active";

    /** Held, alone, by an account waiting for approval. */
    static final String PENDING = "ACCOUNT_pending";

    private final CurrentUser user;

    BearerAuthentication(CurrentUser user) {
        super(
                user.active()
                        ? List.of(
                                new SimpleGrantedAuthority(ACTIVE),
                                new SimpleGrantedAuthority("ROLE_" + user.role().name()),
                                new SimpleGrantedAuthority(
                                        "SCOPE_" + user.scope().wireName()))
                        : List.of(new SimpleGrantedAuthority(PENDING)));
        this.user = user;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public CurrentUser getPrincipal() {
        return user;
    }

    @Override
    public String getName() {
        return user.id().toString();
    }
}
