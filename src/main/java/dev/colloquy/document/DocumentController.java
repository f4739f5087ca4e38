package dev.colloquy.document;

import dev.colloquy.platform.Page;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.InvalidParameter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping("/api/documents")
class DocumentController {

    record SearchRequest(
            @NotBlank @Size(max = 2_000) String query,
            @Nullable @Min(1) @Max(DocumentSearch.MAX_K) Integer k) {}

    record SearchResults(List<DocumentSearch.Hit> items) {}

    private final DocumentManagement documents;
    private final DocumentSearch search;

    DocumentController(DocumentManagement documents, DocumentSearch search) {
        this.documents = documents;
        this.search = search;
    }

    /** 202 for a new document (ingested in the background); 200 with the existing one for known content. */
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<Document> upload(
            @AuthenticationPrincipal CurrentUser caller, @RequestPart("file") @Nullable MultipartFile file) {
        if (file == null) {
            throw new InvalidParameter("The multipart request needs a part named 'file'");
        }
        byte[] content;
        try {
            content = file.getBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var upload = documents.upload(caller.id(), file.getOriginalFilename(), content);
        var location = URI.create("/api/documents/" + upload.document().id());
        return upload.duplicate()
                ? ResponseEntity.ok().location(location).body(upload.document())
                : ResponseEntity.accepted().location(location).body(upload.document());
    }

    @GetMapping
    Page<Document> list(
            @AuthenticationPrincipal CurrentUser caller,
            @RequestParam(defaultValue = "20") @Min(1) @Max(DocumentManagement.MAX_PAGE) int limit,
            @RequestParam(required = false) @Nullable String cursor) {
        return documents.list(caller.id(), cursor, limit);
    }

    @GetMapping("/{id}")
    Document get(@AuthenticationPrincipal CurrentUser caller, @PathVariable UUID id) {
        return documents.get(caller.id(), id);
    }

    @GetMapping("/{id}/chunks/{chunkId}")
    Passage passage(@AuthenticationPrincipal CurrentUser caller, @PathVariable UUID id, @PathVariable UUID chunkId) {
        return documents.passage(caller.id(), id, chunkId);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@AuthenticationPrincipal CurrentUser caller, @PathVariable UUID id) {
        documents.delete(caller.id(), id);
    }

    @PostMapping("/search")
    SearchResults search(@AuthenticationPrincipal CurrentUser caller, @Valid @RequestBody SearchRequest request) {
        return new SearchResults(search.search(caller.id(), request.query(), request.k() == null ? 5 : request.k()));
    }
}
