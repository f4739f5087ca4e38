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

    private static final String COLUMNS = "id, email, display_name, role, created_at";

    private final JdbcClient jdbc;

    Users(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts the account unless the email is taken; true when inserted. */
    boolean insert(User user, String passwordHash) {
        return jdbc.sql("""
                        insert into users (id, email, display_name, password_hash, role, created_at, updated_at)
                        values (:id, :email, :displayName, :passwordHash, :role, :createdAt, :createdAt)
                        on conflict (email) do nothing
                        """)
                        .param("id", user.id())
                        .param("email", user.email())
                        .param("displayName", user.displayName())
                        .param("passwordHash", passwordHash)
                        .param("role", user.role().name())
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
                rs.getTimestamp("created_at").toInstant());
    }
}
