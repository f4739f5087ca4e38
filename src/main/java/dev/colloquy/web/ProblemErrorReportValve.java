package dev.colloquy.web;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * What Tomcat answers itself, before any filter: a path with {@code %00} or an encoded slash, a
 * request line it cannot parse, characters a query may not hold. Its default is an HTML page; this one
 * is a problem response with the security headers, like every other answer, and on {@code /v1} the
 * OpenAI or Anthropic error its SDKs parse. It leaves alone any response that already has a body.
 */
public final class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        var ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        var resolved = HttpStatus.resolve(status);
        var title = resolved == null ? "Error" : resolved.getReasonPhrase();
        var detail = status == 400
                ? "The request's path, query or headers are malformed"
                : status >= 500 ? "An unexpected error occurred" : title;
        // the compatible APIs answer in their own error shape, as their SDKs parse it
        var path = request.getRequestURI() == null ? "" : request.getRequestURI();
        String type;
        String body;
        if (path.startsWith("/v1/messages")) {
            type = "application/json";
            var kind = status >= 500 ? "api_error" : status == 413 ? "request_too_large" : "invalid_request_error";
            body = "{\"type\":\"error\",\"error\":{\"type\":\"" + kind + "\",\"message\":\"" + detail + "\"}}";
        } else if (path.startsWith("/v1/")) {
            type = "application/json";
            var kind = status >= 500 ? "server_error" : "invalid_request_error";
            body = "{\"error\":{\"message\":\"" + detail + "\",\"type\":\"" + kind
                    + "\",\"param\":null,\"code\":null}}";
        } else {
            type = "application/problem+json";
            body = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\""
                    + detail + "\"}";
        }
        try {
            response.setContentType(type);
            response.setCharacterEncoding("UTF-8");
            SecurityHeaders.BASELINE.forEach(response::setHeader);
            var writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException ignored) {
            // the client is gone or the response is committed: nothing more to say
        }
    }

    /** Installs the valve on the embedded Tomcat's host. */
    @Component
    static class Installer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                }
            });
        }
    }
}
