package dev.colloquy.llm;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A passage of one of the caller's documents retrieved for a call: the model reads it, the answer
 * cites it by its number, and the response cache keys on its document's version.
 *
 * @param number the citation number, from 1, as the answer writes it: {@code [1]}
 * @param documentVersion bumped when the document's chunks or vectors change
 * @param headingPath the headings above the passage, outermost first, joined by " > "
 * @param page the PDF page the passage starts on, if the document has pages
 */
public record DocumentSource(
        int number,
        UUID documentId,
        int documentVersion,
        UUID chunkId,
        String filename,
        String headingPath,
        @Nullable Integer page,
        String content) {

    /** The passages as a model reads them, in one system message: numbered, each under where it is from. */
    public static String prompt(java.util.List<DocumentSource> sources) {
        var text = new StringBuilder(
                "Excerpts from the user's documents follow. Answer from them when they are relevant, and cite"
                        + " each one you use by its number in brackets, like [1].");
        for (var source : sources) {
            text.append("\n\n[")
                    .append(source.number())
                    .append("] ")
                    .append(source.label())
                    .append('\n')
                    .append(source.content());
        }
        return text.toString();
    }

    /** Where the passage is, as a reader would say it: the file, then its headings or page. */
    public String label() {
        var where = new StringBuilder(filename);
        if (!headingPath.isEmpty()) {
            where.append(" > ").append(headingPath);
        } else if (page != null) {
            where.append(", page ").append(page);
        }
        return where.toString();
    }
}
