package dev.colloquy.user;

import dev.colloquy.platform.Page;
import dev.colloquy.web.InvalidParameter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Administration of accounts, for admins only ({@code /api/admin/**}): every action is audited. */
@RestController
class AccountAdminController {

    /** Text without control characters (tabs and line breaks allowed). */
    static final String NO_CONTROLS = "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*+";

    record NewInvite(@Nullable @Email @Size(max = 254) String email) {}

    /** Why the admin did it, for the audit log. */
    record Reason(
            @Nullable
            @Size(max = 500)
            @jakarta.validation.constraints.Pattern(
                    regexp = NO_CONTROLS,
                    message = "must not contain control characters")
            String reason) {}

    /** What an account may spend and call; null for either: the installation's default. */
    record Entitlements(
            @Nullable @DecimalMin("0") @DecimalMax("1000000000") @Digits(integer = 10, fraction = 10)
            BigDecimal monthlyBudgetUsd,

            @Nullable @Size(max = 100) List<@NotBlank @Size(max = 200) String> models) {}

    /** A new role, and why. */
    record RoleChange(
            @NotNull Role role,

            @Nullable
            @Size(max = 500)
            @jakarta.validation.constraints.Pattern(
                    regexp = NO_CONTROLS,
                    message = "must not contain control characters")
            String reason) {}

    private final AccountAdministration administration;
    private final AccountDeletion deletion;
    private final KnownModels knownModels;

    AccountAdminController(AccountAdministration administration, AccountDeletion deletion, KnownModels knownModels) {
        this.administration = administration;
        this.deletion = deletion;
        this.knownModels = knownModels;
    }

    /** Sets the account's monthly budget and models (each null: the default); audited. */
    @PutMapping("/api/admin/users/{id}/entitlements")
    User entitle(
            @AuthenticationPrincipal CurrentUser admin,
            @PathVariable UUID id,
            @Valid @RequestBody Entitlements entitlements,
            HttpServletRequest request) {
        return administration.entitle(
                admin,
                id,
                entitlements.monthlyBudgetUsd(),
                knownModels.check("models", entitlements.models()),
                request.getRemoteAddr());
    }

    @PostMapping("/api/admin/users/{id}/role")
    User changeRole(
            @AuthenticationPrincipal CurrentUser admin,
            @PathVariable UUID id,
            @Valid @RequestBody RoleChange change,
            HttpServletRequest request) {
        var reason = change.reason() == null || change.reason().isBlank()
                ? null
                : change.reason().strip();
        return administration.changeRole(admin, id, change.role(), reason, request.getRemoteAddr());
    }

    /**
     * Deletes the account and everything it owns; its sessions and keys stop working at once on every
     * replica, and the ledger keeps its amounts without it.
     */
    @DeleteMapping("/api/admin/users/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(
            @AuthenticationPrincipal CurrentUser admin,
            @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable Reason reason,
            HttpServletRequest request) {
        deletion.delete(admin, id, reason(reason), request.getRemoteAddr());
    }

    @GetMapping("/api/admin/users")
    Page<User> users(
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable @Size(max = 254) String q,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(defaultValue = "50") int limit) {
        return administration.list(status(status), q, cursor, limit(limit));
    }

    @PostMapping("/api/admin/users/{id}/approve")
    User approve(
            @AuthenticationPrincipal CurrentUser admin,
            @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable Reason reason,
            HttpServletRequest request) {
        return administration.approve(admin, id, reason(reason), request.getRemoteAddr());
    }

    @PostMapping("/api/admin/users/{id}/disable")
    User disable(
            @AuthenticationPrincipal CurrentUser admin,
            @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable Reason reason,
            HttpServletRequest request) {
        return administration.disable(admin, id, reason(reason), request.getRemoteAddr());
    }

    @PostMapping("/api/admin/users/{id}/enable")
    User enable(
            @AuthenticationPrincipal CurrentUser admin,
            @PathVariable UUID id,
            @Valid @RequestBody(required = false) @Nullable Reason reason,
            HttpServletRequest request) {
        return administration.enable(admin, id, reason(reason), request.getRemoteAddr());
    }

    private static @Nullable String reason(@Nullable Reason reason) {
        return reason == null || reason.reason() == null || reason.reason().isBlank()
                ? null
                : reason.reason().strip();
    }

    @PostMapping("/api/admin/invites")
    ResponseEntity<AccountAdministration.IssuedInvite> invite(
            @AuthenticationPrincipal CurrentUser admin,
            @Valid @RequestBody NewInvite invite,
            HttpServletRequest request) {
        var issued = administration.invite(admin, invite.email(), request.getRemoteAddr());
        return ResponseEntity.created(URI.create("/api/admin/invites/" + issued.id()))
                .body(issued);
    }

    @GetMapping("/api/admin/audit")
    Page<AuditLog.Entry> audit(
            @RequestParam(required = false) @Nullable String cursor, @RequestParam(defaultValue = "50") int limit) {
        return administration.audit(cursor, limit(limit));
    }

    private static @Nullable AccountStatus status(@Nullable String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return AccountStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameter("'status' is pending, active or disabled");
        }
    }

    private static int limit(int limit) {
        if (limit < 1 || limit > 200) {
            throw new InvalidParameter("'limit' is between 1 and 200");
        }
        return limit;
    }
}
