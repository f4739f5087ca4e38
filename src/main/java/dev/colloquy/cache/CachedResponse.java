package dev.colloquy.cache;

/** A cached 200 response: its body, content type and entity tag. */
record CachedResponse(String contentType, String etag, byte[] body) {}
