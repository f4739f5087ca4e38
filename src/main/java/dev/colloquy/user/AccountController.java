package dev.colloquy.user;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** An account's own lifecycle: export everything it owns, delete it. */
@RestController
class AccountController {

    /**
     * Asked again before the account is deleted: its password, or for an account without one (created
     * through single sign-on) its email address.
     */
    record Confirmation(
            @Nullable @Size(max = 256) String password,
            @Nullable @Size(max = 254) String email) {}

    private final AccountExport export;
    private final AccountDeletion deletion;
    private final UserAccounts accounts;

    AccountController(AccountExport export, AccountDeletion deletion, UserAccounts accounts) {
        this.export = export;
        this.deletion = deletion;
        this.accounts = accounts;
    }

    /** Everything the account owns, as a ZIP archive (see its README.txt). */
    @GetMapping("/api/me/export")
    void export(@AuthenticationPrincipal CurrentUser caller, HttpServletResponse response) throws IOException {
        response.setContentType("application/zip");
        response.setHeader(
                HttpHeaders.CONTENT_DISPOSITION,
                "attachment; filename=\"colloquy-export-" + LocalDate.now(ZoneOffset.UTC) + ".zip\"");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        export.write(caller.id(), response.getOutputStream());
    }

    /**
     * Deletes the account and everything it owns, after checking its password: its sessions and API
     * keys stop working at once, on every replica.
     */
    @DeleteMapping("/api/me")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(
            @AuthenticationPrincipal CurrentUser caller,
            @Valid @RequestBody Confirmation confirmation,
            HttpServletRequest request) {
        if (accounts.hasPassword(caller.id())) {
            if (confirmation.password() == null || !accounts.passwordMatches(caller.id(), confirmation.password())) {
                throw new WrongPassword();
            }
        } else {
            var own = accounts.find(caller.id()).map(User::email).orElse("");
            if (confirmation.email() == null
                    || !UserAccounts.normalise(confirmation.email()).equals(own)) {
                throw new dev.colloquy.web.InvalidParameter(
                        "This account has no password (it signs in through single sign-on): confirm with its 'email'");
            }
        }
        deletion.delete(caller, caller.id(), null, request.getRemoteAddr());
    }
}
