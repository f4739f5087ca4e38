package dev.colloquy.web;

import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;

/**
 * The security headers every response carries, whatever answers it: Spring Security for requests it
 * lets through, {@link RequestIdFilter} for the ones a filter refuses before Spring Security runs
 * (oversized bodies, load shedding, the firewall), and {@link ProblemErrorReportValve} for the ones
 * Tomcat itself refuses (a malformed path or query).
 */
public final class SecurityHeaders {

    /**
     * Scripts, styles and connections from this origin only, no inline script or style, no plugins,
     * no framing; and Trusted Types, so the only HTML the UI can insert is what its sanitising policy
     * returns (model output and document text included), and the only script it can add is the
     * highlighter the page names.
     */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data: blob:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'; object-src 'none'; "
            + "require-trusted-types-for 'script'; trusted-types colloquy-markdown colloquy-assets dompurify";

    /** What Spring Security writes too (it leaves a header alone that is already set). */
    static final Map<String, String> BASELINE = Map.of(
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Content-Security-Policy", CONTENT_SECURITY_POLICY);

    private SecurityHeaders() {}

    static void apply(HttpServletResponse response) {
        BASELINE.forEach(response::setHeader);
    }
}
