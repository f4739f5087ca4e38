package dev.colloquy.platform;

import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** One keyset page of a list: its items and the opaque cursor of the next page, if there is one. */
public record Page<T>(List<T> items, @Nullable String nextCursor) {

    public Page {
        items = List.copyOf(items);
    }

    public <R> Page<R> map(Function<? super T, ? extends R> mapper) {
        return new Page<>(items.stream().<R>map(mapper).toList(), nextCursor);
    }
}
