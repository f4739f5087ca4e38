package dev.colloquy.conversation;

import dev.colloquy.conversation.Messages.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A conversation's messages as a tree, from their sequence numbers and parents: the path to a message,
 * the siblings of a message, the newest end of a branch.
 */
final class MessageTree {

    private final Map<Integer, Node> bySeq = new HashMap<>();
    private final Map<UUID, Node> byId = new HashMap<>();
    private final Map<Integer, List<Node>> children = new HashMap<>();

    private MessageTree(List<Node> nodes) {
        for (var node : nodes) {
            bySeq.put(node.seq(), node);
            byId.put(node.id(), node);
            children.computeIfAbsent(node.parentSeq(), parent -> new ArrayList<>())
                    .add(node);
        }
    }

    /** The tree of these nodes, given in the order they were appended. */
    static MessageTree of(List<Node> nodes) {
        return new MessageTree(nodes);
    }

    @Nullable
    Node node(UUID id) {
        return byId.get(id);
    }

    /** The messages from the first to {@code lastSeq}, in order (empty when there is no such message). */
    List<Node> path(int lastSeq) {
        var path = new ArrayList<Node>();
        var node = bySeq.get(lastSeq);
        // a parent always has a smaller seq than its child, so the walk ends
        while (node != null) {
            path.add(node);
            node = node.parentSeq() < node.seq() ? bySeq.get(node.parentSeq()) : null;
        }
        return path.reversed();
    }

    /** The ids of the messages that follow {@code parentSeq}, oldest first; empty when there is only one. */
    List<UUID> siblings(int parentSeq) {
        var all = children.getOrDefault(parentSeq, List.of());
        return all.size() < 2 ? List.of() : all.stream().map(Node::id).toList();
    }

    /** From {@code seq}, the newest message after each one down to the end of its branch. */
    int newestLeafUnder(int seq) {
        int leaf = seq;
        var next = children.get(leaf);
        while (next != null && !next.isEmpty()) {
            leaf = next.getLast().seq();
            next = children.get(leaf);
        }
        return leaf;
    }
}
