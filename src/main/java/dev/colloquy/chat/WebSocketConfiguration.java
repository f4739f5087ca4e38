package dev.colloquy.chat;

import dev.colloquy.auth.SigningIn;
import dev.colloquy.cache.ResponseCaching;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import tools.jackson.databind.json.JsonMapper;

/** {@code /ws/chat}, same origin only (Spring's default without allowed origins), frames up to 256 KiB. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class WebSocketConfiguration implements WebSocketConfigurer {

    private final SigningIn signingIn;
    private final ChatTurns turns;
    private final ResponseCaching caching;
    private final JsonMapper json;

    WebSocketConfiguration(SigningIn signingIn, ChatTurns turns, ResponseCaching caching, JsonMapper json) {
        this.signingIn = signingIn;
        this.turns = turns;
        this.caching = caching;
        this.json = json;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(new ChatWebSocket(signingIn, turns, caching, json), "/ws/chat");
    }

    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        var container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(256 * 1024);
        container.setMaxSessionIdleTimeout(30L * 60 * 1000);
        return container;
    }
}
