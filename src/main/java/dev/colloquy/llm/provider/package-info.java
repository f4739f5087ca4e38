/** The providers, one bean per wire, and what they share: the streaming HTTP upstream, its deadlines and its failures. */
@NullMarked
package dev.colloquy.llm.provider;

import org.jspecify.annotations.NullMarked;
