package dev.colloquy.user;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code users} table. */
@Repository
class Users {

    record Credentials(User user, String passwordHash) {}

    private static final String COLUMNS =
            "id, email, display_name, role, created_at, status, monthly_budget_usd, allowed_models";

    private final JdbcClient jdbc;

    Users(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts the account unless the email is taken; true when inserted. */
    boolean insert(User user, String passwordHash) {
        return jdbc.sql("""
                        insert into users (id, email, display_name, password_hash, role, status, created_at, updated_at)
                        values (:id, :email, :displayName, :passwordHash, :role, :status, :createdAt, :createdAt)
                        on conflict (email) do nothing
                        """)
                        .param("id", user.id())
                        .param("email", user.email())
                        .param("displayName", user.displayName())
                        .param("passwordHash", passwordHash)
                        .param("role", user.role().name())
                        .param("status", user.status().name())
                        .param("createdAt", user.createdAt().atOffset(java.time.ZoneOffset.UTC))
                        .update()
                == 1;
    }

    Optional<User> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from users where id = :id")
                .param("id", id)
                .query(Users::user)
                .optional();
    }

    Optional<Credentials> findCredentials(String email) {
        return jdbc.sql("select " + COLUMNS + ", password_hash from users where email = :email")
                .param("email", email)
                .query((rs, row) -> new Credentials(user(rs, row), rs.getString("password_hash")))
                .optional();
    }

    /**
     * Holds sign-ups one at a time until the transaction ends, so that exactly one account is an
     * installation's first.
     */
    void lockForSignup() {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('colloquy.signup'))")
                .query(Object.class)
                .single();
    }

    boolean anyExists() {
        return jdbc.sql("select exists (select 1 from users)")
                .query(Boolean.class)
                .single();
    }

    /** Moves the account from one of these statuses to another; true when it was in one of them. */
    boolean changeStatus(UUID id, List<AccountStatus> from, AccountStatus to) {
        return jdbc.sql("""
                        update users set status = :to, updated_at = now()
                         where id = :id and status = any(:from)
                        """)
                        .param("id", id)
                        .param("to", to.name())
                        .param("from", from.stream().map(Enum::name).toArray(String[]::new))
                        .update()
                == 1;
    }

    /**
     * A page of accounts, newest first, optionally only of one status and with the text in their email
     * or name; one more than asked, to tell whether there is a next page.
     */
    List<User> page(
            @org.jspecify.annotations.Nullable AccountStatus status,
            @org.jspecify.annotations.Nullable String text,
            dev.colloquy.platform.@org.jspecify.annotations.Nullable KeysetPosition after,
            int limit) {
        return jdbc.sql("select " + COLUMNS + """
                          from users
                         where (cast(:status as text) is null or status = :status)
                           and (cast(:text as text) is null
                                or strpos(email, lower(:text)) > 0 or strpos(lower(display_name), lower(:text)) > 0)
                           and (cast(:afterAt as timestamptz) is null or (created_at, id) < (cast(:afterAt as timestamptz), cast(:afterId as uuid)))
                         order by created_at desc, id desc
                         limit :limit
                        """)
                .param("status", status == null ? null : status.name())
                .param("text", text)
                .param("afterAt", after == null ? null : after.at().atOffset(java.time.ZoneOffset.UTC))
                .param("afterId", after == null ? null : after.id())
                .param("limit", limit)
                .query(Users::user)
                .list();
    }

    /** Makes admins of these accounts; returns the ids of those that were not yet. */
    List<UUID> promoteToAdmin(List<String> emails) {
        return jdbc.sql("""
                        update users set role = 'ADMIN', updated_at = now()
                         where email = any(:emails) and role <> 'ADMIN'
                        returning id
                        """)
                .param("emails", emails.toArray(String[]::new))
                .query((rs, row) -> rs.getObject("id", UUID.class))
                .list();
    }

    static User user(ResultSet rs, int row) throws SQLException {
        return new User(
                rs.getObject("id", UUID.class),
                rs.getString("email"),
                rs.getString("display_name"),
                Role.valueOf(rs.getString("role")),
                rs.getTimestamp("created_at").toInstant(),
                AccountStatus.valueOf(rs.getString("status")),
                rs.getBigDecimal("monthly_budget_usd"),
                strings(rs.getArray("allowed_models")));
    }

    static @org.jspecify.annotations.Nullable List<String> strings(
            java.sql.@org.jspecify.annotations.Nullable Array array) throws SQLException {
        return array == null ? null : List.of((String[]) array.getArray());
    }

    /** Sets the account's budget and models (null: the defaults); true when the account exists. */
    boolean changeEntitlements(
            UUID id,
            java.math.@org.jspecify.annotations.Nullable BigDecimal monthlyBudgetUsd,
            @org.jspecify.annotations.Nullable List<String> models) {
        return jdbc.sql("""
                        update users set monthly_budget_usd = :budget, allowed_models = :models, updated_at = now()
                         where id = :id
                        """)
                        .param("id", id)
                        .param("budget", monthlyBudgetUsd)
                        .param("models", models == null ? null : models.toArray(String[]::new))
                        .update()
                == 1;
    }

    /** Changes the account's role; true when it had another. */
    boolean changeRole(UUID id, Role role) {
        return jdbc.sql("update users set role = :role, updated_at = now() where id = :id and role <> :role")
                        .param("id", id)
                        .param("role", role.name())
                        .update()
                == 1;
    }

    /** The number of active admins, counted under a lock so that two demotions cannot both pass. */
    long activeAdminsLocked() {
        return jdbc.sql("select id from users where role = 'ADMIN' and status = 'ACTIVE' for update")
                .query((rs, row) -> rs.getObject("id", UUID.class))
                .list()
                .size();
    }

    /** The password hash of the account, if it exists. */
    Optional<String> passwordHash(UUID id) {
        return jdbc.sql("select password_hash from users where id = :id")
                .param("id", id)
                .query(String.class)
                .optional();
    }

    void changePassword(UUID id, String passwordHash) {
        jdbc.sql("update users set password_hash = :hash, updated_at = now() where id = :id")
                .param("id", id)
                .param("hash", passwordHash)
                .update();
    }

    /** Deletes the account row; its API keys and sessions go with it (foreign keys). */
    boolean delete(UUID id) {
        return jdbc.sql("delete from users where id = :id").param("id", id).update() == 1;
    }
}
