package dev.colloquy.platform;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Words in every script, for PostgreSQL's full-text search. PostgreSQL's parser splits text on spaces
 * and punctuation, so a sentence in a script written without spaces (Chinese, Japanese, Thai, Lao,
 * Khmer, Burmese) is one token and no word inside it can be found. Here such runs of text are broken
 * into words by ICU's dictionary-based word breaking, and the words are separated by spaces before
 * PostgreSQL sees them; text in other scripts is left exactly as it was, so English keeps its
 * stemming and stop words. The script is detected per run of characters, so mixed text (Chinese with
 * English product names) finds both.
 */
public final class Words {

    private static final ThreadLocal<BreakIterator> BREAKER =
            ThreadLocal.withInitial(() -> BreakIterator.getWordInstance(ULocale.ROOT));

    private Words() {}

    /** Whether the code point belongs to a script written without spaces between words. */
    public static boolean unspaced(int codePoint) {
        var script = Character.UnicodeScript.of(codePoint);
        return switch (script) {
            case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR -> true;
            // the prolonged sound mark and iteration marks belong to the words around them
            default -> codePoint == 0x30FC || codePoint == 0x3005 || codePoint == 0x309D || codePoint == 0x309E;
        };
    }

    /** Whether the text has any run of a script written without spaces. */
    public static boolean needsBreaking(String text) {
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (codePoint >= 0x0E00 && unspaced(codePoint)) {
                return true;
            }
            i += Character.charCount(codePoint);
        }
        return false;
    }

    /**
     * The text as PostgreSQL should index it: every run of an unspaced script replaced by its words
     * separated by spaces, and the punctuation of those scripts by spaces; null when the text has no
     * such run (then PostgreSQL's own parsing of the text is right as it is).
     */
    public static @Nullable String forIndex(String text) {
        if (!needsBreaking(text)) {
            return null;
        }
        var out = new StringBuilder(text.length() + text.length() / 2);
        forEachRun(text, (run, isUnspaced) -> {
            if (isUnspaced) {
                out.append(' ').append(String.join(" ", words(run))).append(' ');
            } else {
                appendSpacedPunctuation(out, run);
            }
        });
        return out.toString();
    }

    /**
     * A query for {@code websearch_to_tsquery}: each run of an unspaced script becomes its words as a
     * phrase (they must follow each other, as they did in the text), so that a word the dictionary
     * breaks into single characters still matches only where those characters stand together.
     * Other text, and the operators of the web-search syntax (quotes, {@code or}, {@code -}), are kept.
     */
    public static String forQuery(String query) {
        if (!needsBreaking(query)) {
            return query;
        }
        var out = new StringBuilder(query.length() * 2);
        boolean[] quoted = {false};
        forEachRun(query, (run, isUnspaced) -> {
            if (isUnspaced) {
                var words = words(run);
                boolean phrase = words.size() > 1 && !quoted[0];
                // right after an operator ("-", an opening quote) or a space, no space of our own
                boolean joined = out.isEmpty()
                        || Character.isWhitespace(out.charAt(out.length() - 1))
                        || out.charAt(out.length() - 1) == '-'
                        || out.charAt(out.length() - 1) == '"';
                out.append(joined ? "" : " ")
                        .append(phrase ? "\"" : "")
                        .append(String.join(" ", words))
                        .append(phrase ? "\" " : " ");
            } else {
                for (int i = 0; i < run.length(); i++) {
                    if (run.charAt(i) == '"') {
                        quoted[0] = !quoted[0];
                    }
                }
                appendSpacedPunctuation(out, run);
            }
        });
        return out.toString().replaceAll(" {2,}", " ").strip();
    }

    /**
     * Words of Chinese and Japanese questions that say how something is asked, not what about (如何,
     * 怎么, 一个, ください): left out of ranked searches as PostgreSQL leaves out English stop words.
     */
    private static final java.util.Set<String> QUESTION_WORDS = java.util.Set.of(
            "如何", "怎样", "怎么", "怎么样", "什么", "为什么", "哪些", "哪个", "哪里", "一个", "一些", "可以", "能够", "应该", "需要", "我们", "你们",
            "他们", "这个", "那个", "这些", "那些", "其中", "及其", "中的", "如果", "是否", "或者", "还是", "以及", "有没有", "方法", "どう", "どうやって",
            "どのように", "ください", "ですか", "です", "ます", "ますか", "する", "できますか", "方法は");

    /** Particles: single characters that join words, never part of a phrase of single characters. */
    private static final String PARTICLES = "的了在和与把让给从中里是有地得着过吗呢吧啊也都就被对向のはがをにでともへやか";

    /**
     * The terms a ranked search asks for in a run of an unspaced script: its words of two characters
     * or more but question words, and each run of single characters together as a phrase in quotes
     * (the dictionary did not know the word: 链接 breaks into 链 and 接), but particles (的, の) and
     * single characters alone. For {@code websearch_to_tsquery}.
     */
    public static List<String> searchTerms(String run) {
        var terms = new ArrayList<String>();
        var singles = new ArrayList<String>();
        for (var word : words(run)) {
            if (word.codePointCount(0, word.length()) == 1) {
                if (PARTICLES.contains(word)) {
                    flushSingles(singles, terms);
                } else {
                    singles.add(word);
                }
                continue;
            }
            flushSingles(singles, terms);
            if (!QUESTION_WORDS.contains(word)) {
                terms.add(word);
            }
        }
        flushSingles(singles, terms);
        return terms;
    }

    private static void flushSingles(List<String> singles, List<String> terms) {
        if (singles.size() > 1) {
            terms.add("\"" + String.join(" ", singles) + "\"");
        }
        singles.clear();
    }

    /** The words of a run of text, in order, without spaces and punctuation. */
    public static List<String> words(String text) {
        var breaker = BREAKER.get();
        breaker.setText(text);
        var words = new ArrayList<String>();
        int start = breaker.first();
        for (int end = breaker.next(); end != BreakIterator.DONE; start = end, end = breaker.next()) {
            if (breaker.getRuleStatus() != BreakIterator.WORD_NONE) {
                words.add(text.substring(start, end));
            }
        }
        return words;
    }

    /**
     * A snippet of the text around the first place a word of the query stands, with every such place
     * marked {@code «…»}, like PostgreSQL's {@code ts_headline} does for spaced scripts.
     */
    public static String highlight(String text, String query, int maxChars) {
        var terms = new ArrayList<String>();
        for (var word : words(query)) {
            var lower = word.toLowerCase(Locale.ROOT);
            if (!lower.equals("or") && !terms.contains(lower)) {
                terms.add(lower);
            }
        }
        var lowerText = text.toLowerCase(Locale.ROOT);
        int first = -1;
        for (var term : terms) {
            int at = lowerText.indexOf(term);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        int from = 0;
        if (first > 0 && text.length() > maxChars) {
            // a little before the first hit, at the start of a word
            var breaker = BREAKER.get();
            breaker.setText(text);
            int wanted = Math.min(Math.max(0, first - maxChars / 4), text.length() - maxChars);
            from = wanted == 0 ? 0 : Math.max(0, breaker.preceding(wanted + 1));
        }
        int to = Math.min(text.length(), from + maxChars);
        var out = new StringBuilder();
        if (from > 0) {
            out.append('…');
        }
        int i = from;
        while (i < to) {
            String hit = null;
            for (var term : terms) {
                if (!term.isEmpty() && lowerText.startsWith(term, i) && (hit == null || term.length() > hit.length())) {
                    hit = term;
                }
            }
            if (hit != null) {
                int end = Math.min(text.length(), i + hit.length());
                out.append('«').append(text, i, end).append('»');
                i = end;
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        if (to < text.length()) {
            out.append('…');
        }
        return out.toString();
    }

    private interface RunConsumer {
        void accept(String run, boolean unspaced);
    }

    private static void forEachRun(String text, RunConsumer consumer) {
        int start = 0;
        boolean current = false;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            boolean isUnspaced = unspaced(codePoint);
            if (i > start && isUnspaced != current) {
                consumer.accept(text.substring(start, i), current);
                start = i;
            }
            current = isUnspaced;
            i += Character.charCount(codePoint);
        }
        if (start < text.length()) {
            consumer.accept(text.substring(start), current);
        }
    }

    /** CJK and fullwidth punctuation as spaces, so no word is glued to it; all else as it was. */
    private static void appendSpacedPunctuation(StringBuilder out, String run) {
        for (int i = 0; i < run.length(); i++) {
            char c = run.charAt(i);
            boolean wide = c >= 0x3000 && c <= 0x303F || c >= 0xFF00 && c <= 0xFFEF;
            out.append(wide && !Character.isLetterOrDigit(c) ? ' ' : c);
        }
    }
}
