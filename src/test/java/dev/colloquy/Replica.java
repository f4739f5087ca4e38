package dev.colloquy;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One more instance of the whole service in this JVM, on its own random port, over the tests'
 * PostgreSQL: for tests that need several replicas or a different configuration.
 */
public final class Replica implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private Replica(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static Replica start(Map<String, String> properties) {
        var database = TestDatabase.get();
        var all = new HashMap<String, String>();
        all.put("server.port", "0");
        all.put("spring.datasource.url", database.url());
        all.put("spring.datasource.username", database.user());
        all.put("colloquy.cursors.secret", "integration-tests-cursor-secret-0123456789");
        all.put("colloquy.admin-emails", "root@colloquy.test");
        all.put("colloquy.auth.signup", "open");
        all.putAll(properties);
        var arguments = all.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
        var context = new SpringApplicationBuilder(ColloquyApplication.class).run(arguments);
        return new Replica(context);
    }

    public Api api() {
        return new Api("http://127.0.0.1:"
                + ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
