package dev.colloquy.document;

/** A document that could not be read; its message is the reason its owner sees. */
final class DocumentUnreadable extends Exception {

    DocumentUnreadable(String reason) {
        super(reason, null, false, false);
    }
}
