package dev.colloquy;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

class ModularityTest {

    @Test
    void featuresOnlyUseEachOthersPublicApiAndFormNoCycles() {
        ApplicationModules.of(ColloquyApplication.class).verify();
    }
}
