package dev.colloquy.platform;

import javax.sql.DataSource;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.support.ProxyDataSource;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/** Wraps the application's DataSource so that every statement passes the query listeners. */
@Component
class DataSourceInstrumentation implements BeanPostProcessor {

    private final ObjectProvider<QueryExecutionListener> listeners;

    DataSourceInstrumentation(ObjectProvider<QueryExecutionListener> listeners) {
        this.listeners = listeners;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource dataSource) || bean instanceof ProxyDataSource) {
            return bean;
        }
        var builder = ProxyDataSourceBuilder.create(dataSource).name(beanName);
        listeners.orderedStream().forEach(builder::listener);
        return builder.build();
    }
}
