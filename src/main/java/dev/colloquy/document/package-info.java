/**
 * Documents a user chats with: upload, content-type checks, parsing (text, Markdown, HTML, PDF),
 * structure-aware chunking, embeddings, ingestion off the request path by a lease any replica can
 * take over, and hybrid search (vectors and full text, fused by reciprocal rank) over the caller's
 * own documents only.
 */
@ApplicationModule(allowedDependencies = {"cache", "llm", "llm :: embedding", "platform", "user", "web"})
@NullMarked
package dev.colloquy.document;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
