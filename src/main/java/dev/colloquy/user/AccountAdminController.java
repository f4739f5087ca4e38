package dev.colloquy.user;

import dev.colloquy.platform.Page;
import dev.colloquy.web.InvalidParameter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Administration of accounts, for admins only ({@code /api/admin/**}): every action is audited. */
@RestController
class AccountAdminController {

    record NewInvite(@Nullable @Email @Size(max = 254) String email) {}

    /** Why the admin did it, for the audit log. */
    record Reason(
            @Nullable
            @Size(max = 500)
            @jakarta.validation.constraints.Pattern(
                    regexp = "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*+",
                    message = "must not contain control characters")
            String reason) {}

    private final AccountAdministration administration;

    AccountAdminController(AccountAdministration administration) {
        this.administration = administration;
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
