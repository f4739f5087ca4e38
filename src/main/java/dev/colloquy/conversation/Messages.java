package dev.colloquy.conversation;

import dev.colloquy.platform.CopyWriter;
import dev.colloquy.platform.KeysetPosition;
import dev.colloquy.platform.Words;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The {@code messages} table, range-partitioned by month on {@code created_at}. */
@Repository
class Messages {

    static final List<String> COPY_COLUMNS = List.of(
            "id",
            "conversation_id",
            "user_id",
            "seq",
            "parent_seq",
            "role",
            "content",
            "model",
            "status",
            "input_tokens",
            "output_tokens",
            "latency_ms",
            "created_at");

    static final String INSERT = """
            insert into messages (id, conversation_id, user_id, seq, parent_seq, role, content, model, status,
                                  input_tokens, output_tokens, latency_ms, created_at, citations, images, words)
            values (:id, :conversationId, :userId, :seq, :parentSeq, :role, :content, :model, :status, :inputTokens,
                    :outputTokens, :latencyMs, :createdAt, cast(:citations as jsonb), cast(:images as jsonb),
                    to_tsvector('english', cast(:words as text)))
            """;

    static final String FIRST_PAGE = """
            select id, conversation_id, seq, coalesce(parent_seq, seq - 1) as parent_seq, role, content, model, status, input_tokens, output_tokens, latency_ms,
                   created_at, citations, images
              from messages
             where conversation_id = :conversationId
             order by created_at, id
             limit :limit
            """;

    /** The repeated {@code created_at >= :at} lets PostgreSQL skip the partitions before the cursor. */
    static final String NEXT_PAGE = """
            select id, conversation_id, seq, coalesce(parent_seq, seq - 1) as parent_seq, role, content, model, status, input_tokens, output_tokens, latency_ms,
                   created_at, citations, images
              from messages
             where conversation_id = :conversationId
               and created_at >= :at
               and (created_at, id) > (:at, :id)
             order by created_at, id
             limit :limit
            """;

    /**
     * A message matches on {@code search} (PostgreSQL's parsing of its text) or on {@code words} (its
     * text broken into words where a script has no spaces); the snippet of the latter is made in
     * Java, as PostgreSQL cannot find those words in the text to mark them.
     */
    static final String SEARCH_FIRST_PAGE = """
            select m.id, m.conversation_id, c.title, m.role, m.created_at,
                   case when m.words is null then ts_headline('english', m.content, q,
                        'StartSel=«, StopSel=», MaxWords=30, MinWords=10, MaxFragments=2') end as snippet,
                   case when m.words is not null then m.content end as unspaced
              from messages m
              join conversations c on c.id = m.conversation_id
             cross join websearch_to_tsquery('english', :query) q
             where m.user_id = :userId and (m.search @@ q or m.words @@ q)
             order by m.created_at desc, m.id desc
             limit :limit
            """;

    static final String SEARCH_NEXT_PAGE = """
            select m.id, m.conversation_id, c.title, m.role, m.created_at,
                   case when m.words is null then ts_headline('english', m.content, q,
                        'StartSel=«, StopSel=», MaxWords=30, MinWords=10, MaxFragments=2') end as snippet,
                   case when m.words is not null then m.content end as unspaced
              from messages m
              join conversations c on c.id = m.conversation_id
             cross join websearch_to_tsquery('english', :query) q
             where m.user_id = :userId and (m.search @@ q or m.words @@ q)
               and m.created_at <= :at
               and (m.created_at, m.id) < (:at, :id)
             order by m.created_at desc, m.id desc
             limit :limit
            """;

    /** About what {@code ts_headline}'s 30 words come to in a script without spaces. */
    private static final int SNIPPET_CHARS = 80;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<Citation>> CITATIONS = new TypeReference<>() {};
    private static final TypeReference<List<MessageImage>> IMAGES = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final CopyWriter copyWriter;

    Messages(JdbcClient jdbc, CopyWriter copyWriter) {
        this.jdbc = jdbc;
        this.copyWriter = copyWriter;
    }

    void insert(UUID userId, Message message) {
        jdbc.sql(INSERT)
                .param("id", message.id())
                .param("conversationId", message.conversationId())
                .param("userId", userId)
                .param("seq", message.seq())
                .param("parentSeq", message.parentSeq())
                .param("role", message.role().wireName())
                .param("content", message.content())
                .param("model", message.model())
                .param("status", message.status().wireName())
                .param("inputTokens", message.inputTokens())
                .param("outputTokens", message.outputTokens())
                .param("latencyMs", message.latencyMs())
                .param("createdAt", message.createdAt().atOffset(ZoneOffset.UTC))
                .param("citations", message.citations().isEmpty() ? null : JSON.writeValueAsString(message.citations()))
                .param("images", message.images().isEmpty() ? null : JSON.writeValueAsString(message.images()))
                .param("words", Words.forIndex(message.content()))
                .update();
    }

    /** Writes many messages with one COPY; returns how many were written. */
    long copy(UUID userId, List<Message> messages) {
        long written = copyWriter.copy(
                "messages",
                COPY_COLUMNS,
                messages.stream().map(m -> row(userId, m, false)).toList());
        // COPY takes values, not expressions: the words of the messages that need them follow
        var ids = new java.util.ArrayList<UUID>();
        var words = new java.util.ArrayList<String>();
        for (var message : messages) {
            var broken = Words.forIndex(message.content());
            if (broken != null) {
                ids.add(message.id());
                words.add(broken);
            }
        }
        if (!ids.isEmpty()) {
            jdbc.sql("""
                            update messages m set words = to_tsvector('english', u.words)
                              from unnest(cast(:ids as uuid[]), cast(:words as text[])) as u(id, words)
                             where m.id = u.id and m.user_id = :userId
                            """)
                    .param("ids", ids.toArray(UUID[]::new))
                    .param("words", words.toArray(String[]::new))
                    .param("userId", userId)
                    .update();
        }
        return written;
    }

    /** A message's values in {@link #COPY_COLUMNS} order; for JDBC the instant becomes an offset date-time. */
    static Object[] row(UUID userId, Message m, boolean forJdbc) {
        Object createdAt = forJdbc ? m.createdAt().atOffset(ZoneOffset.UTC) : m.createdAt();
        return new Object[] {
            m.id(),
            m.conversationId(),
            userId,
            m.seq(),
            m.parentSeq(),
            m.role().wireName(),
            m.content(),
            m.model(),
            m.status().wireName(),
            m.inputTokens(),
            m.outputTokens(),
            m.latencyMs(),
            createdAt
        };
    }

    static final String RECENT = """
            select id, conversation_id, seq, coalesce(parent_seq, seq - 1) as parent_seq, role, content, model, status, input_tokens, output_tokens, latency_ms,
                   created_at, citations, images
              from messages
             where conversation_id = :conversationId
             order by created_at desc, id desc
             limit :limit
            """;

    /** The last {@code limit} messages, oldest first. */
    List<Message> recent(UUID conversationId, int limit) {
        return jdbc.sql(RECENT)
                .param("conversationId", conversationId)
                .param("limit", limit)
                .query(Messages::message)
                .list()
                .reversed();
    }

    /** Where a message sits in its conversation's tree. */
    record Node(UUID id, int seq, int parentSeq, MessageRole role) {}

    /** Every message of the conversation as a node of its tree, in the order they were appended. */
    List<Node> tree(UUID conversationId) {
        return jdbc.sql("""
                        select id, seq, coalesce(parent_seq, seq - 1) as parent_seq, role
                          from messages
                         where conversation_id = :conversationId
                         order by seq
                        """)
                .param("conversationId", conversationId)
                .query((rs, row) -> new Node(
                        rs.getObject("id", UUID.class),
                        rs.getInt("seq"),
                        rs.getInt("parent_seq"),
                        MessageRole.fromWire(rs.getString("role"))))
                .list();
    }

    /** The messages with these sequence numbers, in their order. */
    List<Message> bySeq(UUID conversationId, List<Integer> seqs) {
        if (seqs.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        select id, conversation_id, seq, coalesce(parent_seq, seq - 1) as parent_seq, role, content,
                               model, status, input_tokens, output_tokens, latency_ms, created_at, citations, images
                          from messages
                         where conversation_id = :conversationId and seq = any(:seqs)
                         order by seq
                        """)
                .param("conversationId", conversationId)
                .param("seqs", seqs.toArray(Integer[]::new))
                .query(Messages::message)
                .list();
    }

    /** Up to {@code limit} messages after the position, oldest first. */
    List<Message> page(UUID conversationId, @Nullable KeysetPosition after, int limit) {
        var query = jdbc.sql(after == null ? FIRST_PAGE : NEXT_PAGE)
                .param("conversationId", conversationId)
                .param("limit", limit);
        if (after != null) {
            query = query.param("at", after.at().atOffset(ZoneOffset.UTC)).param("id", after.id());
        }
        return query.query(Messages::message).list();
    }

    /** Up to {@code limit} of the user's messages matching the web-search style query, newest first. */
    List<SearchHit> search(UUID userId, String text, @Nullable KeysetPosition after, int limit) {
        var query = jdbc.sql(after == null ? SEARCH_FIRST_PAGE : SEARCH_NEXT_PAGE)
                .param("userId", userId)
                .param("query", Words.forQuery(text))
                .param("limit", limit);
        if (after != null) {
            query = query.param("at", after.at().atOffset(ZoneOffset.UTC)).param("id", after.id());
        }
        return query.query((rs, row) -> new SearchHit(
                        rs.getObject("id", UUID.class),
                        rs.getObject("conversation_id", UUID.class),
                        rs.getString("title"),
                        MessageRole.fromWire(rs.getString("role")),
                        rs.getString("snippet") != null
                                ? rs.getString("snippet")
                                : Words.highlight(rs.getString("unspaced"), text, SNIPPET_CHARS),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    static Message message(ResultSet rs, int row) throws SQLException {
        return new Message(
                rs.getObject("id", UUID.class),
                rs.getObject("conversation_id", UUID.class),
                rs.getInt("seq"),
                rs.getInt("parent_seq"),
                MessageRole.fromWire(rs.getString("role")),
                rs.getString("content"),
                rs.getString("model"),
                MessageStatus.fromWire(rs.getString("status")),
                rs.getObject("input_tokens", Integer.class),
                rs.getObject("output_tokens", Integer.class),
                rs.getObject("latency_ms", Integer.class),
                rs.getTimestamp("created_at").toInstant(),
                citations(rs.getString("citations")),
                images(rs.getString("images")),
                List.of());
    }

    private static List<Citation> citations(@Nullable String json) {
        return json == null ? List.of() : JSON.readValue(json, CITATIONS);
    }

    private static List<MessageImage> images(@Nullable String json) {
        return json == null ? List.of() : JSON.readValue(json, IMAGES);
    }
}
