# syntax=docker/dockerfile:1
# Colloquy's production image. Stage 1 builds the jar from source with the Maven wrapper (no embedded
# PostgreSQL binaries: production points SPRING_DATASOURCE_URL at a real server) and splits it into
# Spring Boot's layers; stage 2 runs those layers on a JRE as a non-root user, so a code change only
# replaces the small application layer. Build: docker build -t colloquy:latest .
ARG JAVA_VERSION=21
# The two base images: a JDK to build with and a JRE to run on. Their defaults are the public Temurin
# images; deployment/image/check passes local stand-ins (a Debian root file system with a JDK, and one
# with a jlink runtime) where no registry serves images.
ARG BUILD_IMAGE=eclipse-temurin:${JAVA_VERSION}-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:${JAVA_VERSION}-jre-noble

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/ src/
RUN ./mvnw -B -ntp -DskipEmbeddedPostgres -DskipTests -Dspotless.check.skip=true package \
    && cp target/colloquy-*.jar /tmp/colloquy.jar \
    && java -Djarmode=tools -jar /tmp/colloquy.jar extract --layers --launcher --destination /extracted

FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 colloquy \
    && useradd --system --uid 10001 --gid colloquy --home-dir /app --shell /usr/sbin/nologin colloquy
WORKDIR /app
# least to most often changed: each is a layer of its own
COPY --from=build --chown=colloquy:colloquy /extracted/dependencies/ ./
COPY --from=build --chown=colloquy:colloquy /extracted/spring-boot-loader/ ./
COPY --from=build --chown=colloquy:colloquy /extracted/snapshot-dependencies/ ./
COPY --from=build --chown=colloquy:colloquy /extracted/application/ ./
USER 10001:10001

# The heap follows the container's memory limit (75% of it), not the host's; an out-of-memory error
# ends the process so the orchestrator restarts it, rather than leaving it half alive.
ENV LOG_FORMAT=json \
    SERVER_PORT=8000 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=25 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC"
EXPOSE 8000

# readiness, as the load balancer sees it; bash's /dev/tcp, as the JRE image has no curl
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SERVER_PORT} && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"UP\"' <&3"]

# exec form: java is PID 1 and gets SIGTERM itself, for the 30 s graceful shutdown; spring.aot.enabled
# uses the bean definitions the build computed for an external PostgreSQL and Redis (pom.xml, process-aot)
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-Dspring.aot.enabled=true", "org.springframework.boot.loader.launch.JarLauncher"]
