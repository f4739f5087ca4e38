package dev.colloquy.llm.provider.local;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.MessageRecall;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.TokenUsage;
import dev.colloquy.llm.Tokens;
import dev.colloquy.llm.ToolChoice;
import dev.colloquy.llm.provider.ChatProvider;
import dev.colloquy.llm.provider.ProviderResult;
import dev.colloquy.platform.Words;
import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The built-in {@code local} model: no generative model behind it. It quotes the passages of the
 * caller's documents retrieved for the question, each cited by its number; with none, it looks up
 * the question's words in the caller's own messages. It says plainly what it is, streams, costs
 * nothing, and lets every path of the product run with no upstream. It has no tool calling,
 * structured output or attachments, and says so with a 400 rather than answer prose in their place.
 */
@org.springframework.stereotype.Component
public final class LocalModel implements ChatProvider {

    static final String PREAMBLE = "No generative model is configured, so this answer comes from Colloquy's built-in"
            + " `local` model, which quotes what it finds in your own documents and conversations instead of"
            + " writing new text.";
    /** After a full stop, question or exclamation mark and space, or after their CJK forms, which take none. */
    private static final Pattern SENTENCE = Pattern.compile("(?<=[.!?])\\s+|(?<=[。！？])\\s*");

    private static final int MAX_QUOTE = 400;
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]{2,}");
    private static final int MAX_WORDS = 12;
    private static final int MAX_PASSAGES = 5;

    private final MessageRecall recall;

    public LocalModel(MessageRecall recall) {
        this.recall = recall;
    }

    @org.springframework.beans.factory.annotation.Autowired
    LocalModel(org.springframework.beans.factory.ObjectProvider<MessageRecall> recall) {
        this(recall.getIfAvailable(() -> MessageRecall.NONE));
    }

    @Override
    public String id() {
        return dev.colloquy.llm.LlmModel.LOCAL;
    }

    @Override
    public List<String> unsupported(LlmModel model, ChatRequest request) {
        var options = request.options();
        var unsupported = new ArrayList<String>();
        if (!options.tools().isEmpty()) {
            unsupported.add("tools");
        }
        if (options.toolChoice() != null && options.toolChoice().mode() != ToolChoice.Mode.NONE) {
            unsupported.add("tool_choice");
        }
        if (options.responseFormat() != null && !options.responseFormat().isText()) {
            unsupported.add("response_format");
        }
        if (options.n() != 1) {
            unsupported.add("n");
        }
        for (int i = 0; i < request.messages().size(); i++) {
            if (request.messages().get(i) instanceof LlmMessage.User user && user.hasAttachments()) {
                unsupported.add("messages[" + i + "].content (images, audio and files)");
            }
        }
        return unsupported;
    }

    @Override
    public ProviderResult stream(LlmModel model, ChatRequest request, AnswerSink sink, Deadlines deadlines) {
        var question = request.messages().reversed().stream()
                .filter(m -> m instanceof LlmMessage.User)
                .findFirst()
                .map(LlmMessage::text)
                .orElse("");
        var answer = compose(request, question);
        var sent = new StringBuilder();
        int prompt = Tokens.estimate(request);
        try {
            for (var piece : answer.split("(?<= )")) {
                sink.accept(new StreamEvent.Text(0, piece));
                sent.append(piece);
            }
        } catch (IOException clientGone) {
            return new ProviderResult(
                    sent.toString(),
                    List.of(),
                    TokenUsage.of(prompt, Tokens.count(sent.toString())),
                    FinishReason.CLIENT_DISCONNECTED);
        }
        return new ProviderResult(answer, List.of(), TokenUsage.of(prompt, Tokens.count(answer)), FinishReason.STOP);
    }

    private String compose(ChatRequest request, String question) {
        var words = new LinkedHashSet<String>();
        var matcher = WORD.matcher(question.toLowerCase(Locale.ROOT));
        while (matcher.find() && words.size() < MAX_WORDS) {
            if (Words.needsBreaking(matcher.group())) {
                // Chinese, Japanese, Thai: the words inside the run, of two characters or more
                Words.words(matcher.group()).stream()
                        .filter(word -> word.length() > 1)
                        .limit(MAX_WORDS - words.size())
                        .forEach(words::add);
            } else if (matcher.group().length() > 2) {
                words.add(matcher.group());
            }
        }
        var answer = new StringBuilder(PREAMBLE).append("\n\n");
        if (!request.sources().isEmpty()) {
            answer.append("From your documents:\n");
            for (var source : request.sources()) {
                answer.append("\n- \"")
                        .append(quote(source.content(), words))
                        .append("\" [")
                        .append(source.number())
                        .append("] (")
                        .append(source.label())
                        .append(')');
            }
            return answer.toString();
        }
        if (words.isEmpty()) {
            return answer.append("Ask about something you have written about, and I will quote where you did.")
                    .toString();
        }
        var hits = recall.recall(request.userId(), List.copyOf(words), MAX_PASSAGES * 3).stream()
                .filter(hit -> !request.notRetrieved().contains(hit.messageId()))
                .limit(MAX_PASSAGES)
                .toList();
        if (hits.isEmpty()) {
            return answer.append("I found nothing about that in your conversations yet.")
                    .toString();
        }
        answer.append("Here is what I found in your conversations:\n");
        int n = 1;
        for (var hit : hits) {
            answer.append('\n')
                    .append(n++)
                    .append(". \"")
                    .append(hit.snippet().replace('\n', ' ').strip())
                    .append("\" (")
                    .append(hit.role())
                    .append(", in \"")
                    .append(hit.conversationTitle())
                    .append("\", ")
                    .append(hit.createdAt().atOffset(ZoneOffset.UTC).toLocalDate())
                    .append(')');
        }
        return answer.toString();
    }

    /** The passage's sentences that share most words with the question, in their order, within a bound. */
    static String quote(String passage, java.util.Set<String> words) {
        var sentences = SENTENCE.split(passage.replace('\n', ' ').strip());
        var scores = new int[sentences.length];
        int best = 0;
        for (int i = 0; i < sentences.length; i++) {
            var lower = sentences[i].toLowerCase(Locale.ROOT);
            for (var word : words) {
                if (lower.contains(word)) {
                    scores[i]++;
                }
            }
            best = Math.max(best, scores[i]);
        }
        var quote = new StringBuilder();
        for (int i = 0; i < sentences.length; i++) {
            if ((scores[i] == best || best == 0 && i == 0) && quote.length() < MAX_QUOTE) {
                // sentences that end in a CJK mark are written without a space after them
                boolean spaced = !quote.isEmpty() && "。！？".indexOf(quote.charAt(quote.length() - 1)) < 0;
                quote.append(spaced ? " " : "").append(sentences[i].strip());
            }
        }
        return quote.length() > MAX_QUOTE ? quote.substring(0, MAX_QUOTE).strip() + "..." : quote.toString();
    }
}
