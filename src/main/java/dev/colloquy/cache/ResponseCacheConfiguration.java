package dev.colloquy.cache;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class ResponseCacheConfiguration implements WebMvcConfigurer {

    private final ResponseCaching caching;
    private final TwoTierCache cache;
    private final CacheMetrics metrics;

    ResponseCacheConfiguration(ResponseCaching caching, TwoTierCache cache, CacheMetrics metrics) {
        this.caching = caching;
        this.cache = cache;
        this.metrics = metrics;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new ResponseCacheInterceptor(caching, cache, metrics))
                .addPathPatterns("/api/**");
    }
}
