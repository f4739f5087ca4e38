package dev.colloquy.document;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** An upload whose content is none of the types Colloquy reads, whatever its name says. */
final class UnsupportedDocument extends ApiProblem {

    UnsupportedDocument(String detail) {
        super(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-document", "Unsupported document", detail);
    }
}
