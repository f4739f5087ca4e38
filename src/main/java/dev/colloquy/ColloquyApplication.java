package dev.colloquy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.scheduling.annotation.EnableScheduling;

// Accounts are Colloquy's own (user/, auth/): Boot's generated in-memory user is never wanted.
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@EnableScheduling
public class ColloquyApplication {

    public static void main(String[] args) {
        SpringApplication.run(ColloquyApplication.class, args);
    }
}
