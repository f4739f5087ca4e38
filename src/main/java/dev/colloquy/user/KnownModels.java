package dev.colloquy.user;

import dev.colloquy.web.InvalidParameter;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The names of the models this installation serves, as the model gateway knows them: lists of
 * allowed models (of an account, of an API key) may only name these.
 */
public interface KnownModels {

    boolean has(String name);

    /**
     * The list without repeats, or null for none given.
     *
     * @throws InvalidParameter naming the first model that does not exist
     */
    default @Nullable List<String> check(String field, @Nullable List<String> names) {
        if (names == null) {
            return null;
        }
        var distinct = new LinkedHashSet<String>();
        for (var name : names) {
            var stripped = name.strip();
            if (!has(stripped)) {
                throw new InvalidParameter("'" + field + "' names '" + stripped + "', which is not a model here");
            }
            distinct.add(stripped);
        }
        return List.copyOf(distinct);
    }
}
