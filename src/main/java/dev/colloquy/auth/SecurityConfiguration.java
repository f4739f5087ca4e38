package dev.colloquy.auth;

import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.web.ProblemTypes;
import dev.colloquy.web.ProblemWriter;
import dev.colloquy.web.SecurityHeaders;
import dev.colloquy.web.WebProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Stateless bearer-token security: no cookies, so no CSRF tokens; every {@code /api} and {@code /v1}
 * route needs a token except registration and login; admin routes need the admin role; the rest of
 * the API needs a full-scope credential. Failures answer problem responses.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(OAuth2ClientProperties.class)
class SecurityConfiguration {

    /**
     * No observation per security filter, authentication and authorization: they made a third of the
     * objects a {@code /v1} call allocated (BENCHMARKS.md, issue 20) and nothing reads them (no
     * dashboard, alert or trace of the kit). {@code http_server_requests} still times every request.
     */
    @Bean
    static SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    SignOnProviders signOnProviders(OAuth2ClientProperties properties) {
        return new SignOnProviders(properties);
    }

    /**
     * Single sign-on, when providers are configured ({@code spring.security.oauth2.client.registration.*}):
     * {@code /oauth2/authorization/{id}} sends the browser to the provider (authorization code with
     * PKCE), {@code /login/oauth2/code/{id}} takes it back. No server session: see {@link
     * CachedAuthorizationRequests} and {@link SingleSignOn}.
     */
    @Bean
    @Order(1)
    SecurityFilterChain singleSignOnChain(
            HttpSecurity http, SignOnProviders providers, SingleSignOn singleSignOn, TwoTierCache cache)
            throws Exception {
        if (providers.isEmpty()) {
            return http.securityMatcher(request -> false).build();
        }
        var resolver = new DefaultOAuth2AuthorizationRequestResolver(
                providers, OAuth2AuthorizationRequestRedirectFilter.DEFAULT_AUTHORIZATION_REQUEST_BASE_URI);
        resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        http.securityMatcher("/oauth2/authorization/*", CachedAuthorizationRequests.CALLBACK_PATH + "/*")
                .csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .securityContext(context -> context.securityContextRepository(
                        new org.springframework.security.web.context.RequestAttributeSecurityContextRepository()))
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .oauth2Login(
                        login -> login.authorizationEndpoint(endpoint -> endpoint.authorizationRequestResolver(resolver)
                                        .authorizationRequestRepository(new CachedAuthorizationRequests(cache)))
                                .authorizedClientRepository(NO_AUTHORIZED_CLIENTS)
                                .successHandler(singleSignOn)
                                .failureHandler(singleSignOn))
                .headers(SecurityConfiguration::securityHeaders);
        return http.build();
    }

    /** The Content-Security-Policy and no referrer, on every answer of both chains. */
    private static void securityHeaders(
            org.springframework.security.config.annotation.web.configurers.HeadersConfigurer<HttpSecurity> headers) {
        headers.contentSecurityPolicy(csp -> csp.policyDirectives(SecurityHeaders.CONTENT_SECURITY_POLICY))
                .referrerPolicy(referrer -> referrer.policy(
                        org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy
                                .NO_REFERRER));
    }

    /** The provider's own tokens are not kept: Colloquy issues its session at sign-in and is done. */
    private static final OAuth2AuthorizedClientRepository NO_AUTHORIZED_CLIENTS =
            new OAuth2AuthorizedClientRepository() {
                @Override
                public <T extends OAuth2AuthorizedClient> @org.jspecify.annotations.Nullable T loadAuthorizedClient(
                        String clientRegistrationId, Authentication principal, HttpServletRequest request) {
                    return null;
                }

                @Override
                public void saveAuthorizedClient(
                        OAuth2AuthorizedClient authorizedClient,
                        Authentication principal,
                        HttpServletRequest request,
                        HttpServletResponse response) {}

                @Override
                public void removeAuthorizedClient(
                        String clientRegistrationId,
                        Authentication principal,
                        HttpServletRequest request,
                        HttpServletResponse response) {}
            };

    @Bean
    SecurityFilterChain api(HttpSecurity http, SigningIn signingIn, ProblemWriter problems, WebProperties web)
            throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .cors(cors -> cors.configurationSource(cors(web.corsAllowedOrigins())))
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerTokenFilter(signingIn, problems), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(
                        requests -> requests.requestMatchers(HttpMethod.POST, "/api/auth/register", "/api/auth/login")
                                .permitAll()
                                .requestMatchers(HttpMethod.GET, "/api/auth/providers")
                                .permitAll()
                                // an account waiting for approval may see that it waits, sign out, and
                                // change its password, export or delete what it has
                                .requestMatchers(HttpMethod.GET, "/api/me", "/api/me/export")
                                .hasAnyAuthority(BearerAuthentication.FULL_ACCESS, BearerAuthentication.PENDING)
                                .requestMatchers(HttpMethod.DELETE, "/api/me")
                                .hasAnyAuthority(BearerAuthentication.FULL_ACCESS, BearerAuthentication.PENDING)
                                .requestMatchers(HttpMethod.POST, "/api/me/password")
                                .hasAnyAuthority(BearerAuthentication.FULL_ACCESS, BearerAuthentication.PENDING)
                                .requestMatchers(HttpMethod.POST, "/api/auth/logout")
                                .hasAnyAuthority(BearerAuthentication.FULL_ACCESS, BearerAuthentication.PENDING)
                                .requestMatchers("/api/admin/**")
                                .hasRole("ADMIN")
                                .requestMatchers("/api/**")
                                .hasAuthority(BearerAuthentication.FULL_ACCESS)
                                .requestMatchers("/v1/**")
                                .hasAuthority(BearerAuthentication.ACTIVE)
                                .requestMatchers("/actuator/health/**", "/actuator/prometheus", "/actuator/info")
                                .permitAll()
                                .requestMatchers("/actuator/**")
                                .denyAll()
                                .anyRequest()
                                .permitAll())
                .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthenticated(problems))
                        .accessDeniedHandler(forbidden(problems)))
                .headers(SecurityConfiguration::securityHeaders);
        return http.build();
    }

    /**
     * Cross-origin calls: none unless {@code colloquy.web.cors-allowed-origins} names the origins. A
     * browser page from any other origin gets no {@code Access-Control-Allow-Origin}, so it can neither
     * read an answer nor send a preflighted request. Credentials are bearer tokens in a header, never
     * cookies, so credentials mode stays off.
     */
    static CorsConfigurationSource cors(List<String> allowedOrigins) {
        var source = new UrlBasedCorsConfigurationSource();
        if (allowedOrigins.isEmpty()) {
            return source;
        }
        var configuration = new CorsConfiguration();
        configuration.setAllowedOrigins(allowedOrigins);
        configuration.setAllowedMethods(List.of("GET", "POST", "PATCH", "DELETE"));
        configuration.setAllowedHeaders(
                List.of("Authorization", "Content-Type", "Idempotency-Key", "Cache-Control", "If-None-Match"));
        configuration.setExposedHeaders(List.of("Retry-After", "ETag", "Location", "X-Request-Id", "X-Cache"));
        configuration.setAllowCredentials(false);
        configuration.setMaxAge(java.time.Duration.ofHours(1));
        source.registerCorsConfiguration("/api/**", configuration);
        source.registerCorsConfiguration("/v1/**", configuration);
        return source;
    }

    private static AuthenticationEntryPoint unauthenticated(ProblemWriter problems) {
        return (request, response, e) -> {
            boolean invalid = request.getAttribute(BearerTokenFilter.INVALID_TOKEN) != null;
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, invalid ? "Bearer error=\"invalid_token\"" : "Bearer");
            var detail = invalid
                    ? "The bearer token is unknown, expired or revoked"
                    : "This endpoint needs Authorization: Bearer <session token or API key>";
            if (request.getRequestURI().equals("/v1/messages")) {
                // Anthropic's shape, so the Anthropic SDK raises its usual AuthenticationError
                response.setStatus(HttpStatus.UNAUTHORIZED.value());
                response.setContentType("application/json");
                response.getWriter()
                        .write("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\""
                                + (invalid ? "The API key is unknown, expired or revoked" : "Send x-api-key: <API key>")
                                + "\"}}");
                return;
            }
            if (request.getRequestURI().startsWith("/v1/")) {
                // OpenAI's shape, so the OpenAI SDKs raise their usual AuthenticationError
                response.setStatus(HttpStatus.UNAUTHORIZED.value());
                response.setContentType("application/json");
                response.getWriter()
                        .write("{\"error\":{\"message\":\""
                                + detail.replace("<", "\\u003c").replace(">", "\\u003e")
                                + "\",\"type\":\"authentication_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
                return;
            }
            var problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, detail);
            problem.setType(ProblemTypes.of(invalid ? "invalid-token" : "unauthenticated"));
            problem.setTitle("Unauthenticated");
            problems.write(response, problem);
        };
    }

    private static AccessDeniedHandler forbidden(ProblemWriter problems) {
        return (request, response, e) -> {
            if (request.getUserPrincipal() instanceof BearerAuthentication bearer
                    && bearer.getPrincipal().pending()) {
                var waiting = ProblemDetail.forStatusAndDetail(
                        HttpStatus.FORBIDDEN,
                        "Your account waits for an administrator's approval; until then you can only sign out");
                waiting.setType(ProblemTypes.of("account-pending"));
                waiting.setTitle("Account pending");
                problems.write(response, waiting);
                return;
            }
            var problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.FORBIDDEN,
                    "Your credential does not allow this: admin routes need an admin, and chat-scoped API keys reach only /v1");
            problem.setType(ProblemTypes.of("forbidden"));
            problem.setTitle("Forbidden");
            problems.write(response, problem);
        };
    }
}
