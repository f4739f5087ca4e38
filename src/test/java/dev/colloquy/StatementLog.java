package dev.colloquy;

import dev.colloquy.web.RequestIds;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import org.slf4j.MDC;

/** Records the SQL statements each HTTP request ran, by its request id. */
public class StatementLog implements QueryExecutionListener {

    private final Map<String, List<String>> byRequest = new ConcurrentHashMap<>();

    @Override
    public void beforeQuery(ExecutionInfo execution, List<QueryInfo> queries) {}

    @Override
    public void afterQuery(ExecutionInfo execution, List<QueryInfo> queries) {
        var requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            var log = byRequest.computeIfAbsent(requestId, id -> new CopyOnWriteArrayList<>());
            queries.forEach(query -> log.add(query.getQuery()));
        }
    }

    public List<String> statementsOf(String requestId) {
        return List.copyOf(byRequest.getOrDefault(requestId, List.of()));
    }
}
