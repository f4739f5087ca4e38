package dev.colloquy.conversation;

import dev.colloquy.platform.PartitionedTable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ConversationConfiguration {

    @Bean
    PartitionedTable messagePartitions() {
        return new PartitionedTable("messages");
    }
}
