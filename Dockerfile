# syntax=docker/dockerfile:1
# Colloquy's production image. Stage 1 builds the jar from source with the Maven wrapper (no embedded
# PostgreSQL binaries: production points SPRING_DATASOURCE_URL at a real server) and splits it into
# Spring Boot's layers of plain jars; stage 2 makes the JDK's AOT cache with one training run of the
# application against a PostgreSQL that lives only in that stage; stage 3 runs the layers and the cache
# on a JRE as a non-root user, so a code change replaces the application layer and the cache. Build:
# docker build -t colloquy:latest .
# Java 25: the AOT cache made by a training run (-XX:AOTCacheOutput) came with it
ARG JAVA_VERSION=25
# The base images: a JDK to build with, a JRE to run on, and a PostgreSQL server for the training run
# (its stage copies the JRE in; nothing of it reaches the image). Their defaults are public images;
# deployment/image/check passes local stand-ins (a Debian root file system with a JDK, one with a jlink
# runtime, one with Debian's PostgreSQL) where no registry serves images.
ARG BUILD_IMAGE=eclipse-temurin:${JAVA_VERSION}-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:${JAVA_VERSION}-jre-noble
ARG TRAINING_IMAGE=postgres:17-bookworm
# The JVM's options, the same in the training run and in the image (the cache is made for them). The
# heap follows the container's memory limit (75% of it), not the host's; an out-of-memory error ends
# the process so the orchestrator restarts it, rather than leaving it half alive.
ARG JAVA_OPTIONS="-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=25 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC"

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/ src/
RUN ./mvnw -B -ntp -DskipEmbeddedPostgres -DskipTests -Dspotless.check.skip=true package \
    && cp target/colloquy-*.jar /tmp/colloquy.jar \
    && java -Djarmode=tools -jar /tmp/colloquy.jar extract --layers --destination /extracted \
    && test -f /extracted/application/colloquy.jar

FROM ${RUNTIME_IMAGE} AS runtime
RUN groupadd --system --gid 10001 colloquy \
    && useradd --system --uid 10001 --gid colloquy --home-dir /app --shell /usr/sbin/nologin colloquy

# The training run: the application started as the image starts it (same JRE, same jars at the same
# paths, same options), over a fresh database, stopped once its context is refreshed; the JVM writes
# the classes it loaded and linked, and their profiles, into /app/colloquy.aot. Redis is pointed at a
# closed port: the start carries on without it (its classes are loaded trying), and a cache trained so
# starts replicas with Redis as fast as one trained with it (BENCHMARKS.md, "Start-up").
FROM ${TRAINING_IMAGE} AS training
COPY --from=runtime /opt/java/openjdk/ /opt/java/openjdk/
COPY --from=build /extracted/dependencies/ /app/
COPY --from=build /extracted/snapshot-dependencies/ /app/
COPY --from=build /extracted/application/ /app/
ARG JAVA_OPTIONS
ENV JAVA_TOOL_OPTIONS="${JAVA_OPTIONS}"
RUN set -eu; \
    bin="$(dirname "$(command -v initdb)")"; \
    mkdir -p /tmp/training && chown postgres /tmp/training; \
    su postgres -s /bin/sh -c "$bin/initdb -D /tmp/training/data -A trust -U postgres >/tmp/training/initdb.log \
        && $bin/pg_ctl -D /tmp/training/data -l /tmp/training/postgres.log -w \
            -o '-c listen_addresses=127.0.0.1 -p 55432 -k /tmp/training' start >/dev/null"; \
    SPRING_DATASOURCE_URL=jdbc:postgresql://127.0.0.1:55432/postgres SPRING_DATASOURCE_USERNAME=postgres \
        SPRING_DATA_REDIS_URL=redis://127.0.0.1:56379 LOGGING_LEVEL_ROOT=warn \
        /opt/java/openjdk/bin/java --enable-native-access=ALL-UNNAMED -Dspring.aot.enabled=true \
        -XX:AOTCacheOutput=/app/colloquy.aot -Dspring.context.exit=onRefresh -jar /app/colloquy.jar \
        >/tmp/training/training.log 2>&1 || { tail -n 40 /tmp/training/training.log; exit 1; }; \
    su postgres -s /bin/sh -c "$bin/pg_ctl -D /tmp/training/data -m fast -w stop >/dev/null"; \
    test -s /app/colloquy.aot

# (from the stage above, not from RUNTIME_IMAGE again: a stage that is only a FROM would leave nothing
# of its own, and podman's build then removes the base image itself as the stage's leftover)
FROM runtime
WORKDIR /app
# least to most often changed: each is a layer of its own. The jars keep the paths (and times) they had
# in the training run: the JVM uses the cache only for the class path it was made with.
COPY --from=build --chown=colloquy:colloquy /extracted/dependencies/ ./
COPY --from=build --chown=colloquy:colloquy /extracted/snapshot-dependencies/ ./
COPY --from=build --chown=colloquy:colloquy /extracted/application/ ./
COPY --from=training --chown=colloquy:colloquy /app/colloquy.aot ./
USER 10001:10001

# the JVM's options as the training run had them (JAVA_OPTIONS above)
ARG JAVA_OPTIONS
ENV LOG_FORMAT=json \
    SERVER_PORT=8000 \
    JAVA_TOOL_OPTIONS="${JAVA_OPTIONS}"
EXPOSE 8000

# readiness, as the load balancer sees it; bash's /dev/tcp, as the JRE image has no curl
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SERVER_PORT} && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"UP\"' <&3"]

# exec form: java is PID 1 and gets SIGTERM itself, for the 30 s graceful shutdown; spring.aot.enabled
# uses the bean definitions the build computed for an external PostgreSQL and Redis (pom.xml,
# process-aot); AOTCache the training run's cache (a JVM that cannot use it says so and starts without)
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-Dspring.aot.enabled=true", "-XX:AOTCache=/app/colloquy.aot", "-jar", "/app/colloquy.jar"]
