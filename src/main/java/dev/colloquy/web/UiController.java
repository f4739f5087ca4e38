package dev.colloquy.web;

import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The web UI: the page at {@code /} ({@code no-cache}, so a browser revalidates it with its ETag and
 * sees a new release at once) and the content-hashed assets under {@code /assets/} (cached for a year,
 * {@code immutable}: a new version has a new name). Both in the best coding the client accepts.
 */
@RestController
class UiController {

    private static final CacheControl PAGE = CacheControl.noCache();
    private static final String ASSET = "public, max-age=31536000, immutable";

    private final UiAssets assets;

    UiController(UiAssets assets) {
        this.assets = assets;
    }

    @GetMapping({"/", "/index.html"})
    ResponseEntity<byte[]> page(
            @RequestHeader(value = HttpHeaders.ACCEPT_ENCODING, required = false) @Nullable String acceptEncoding,
            @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) @Nullable String ifNoneMatch) {
        return serve(assets.page(), PAGE.getHeaderValue(), acceptEncoding, ifNoneMatch);
    }

    @GetMapping("/assets/{name}")
    ResponseEntity<byte[]> asset(
            @PathVariable String name,
            @RequestHeader(value = HttpHeaders.ACCEPT_ENCODING, required = false) @Nullable String acceptEncoding,
            @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) @Nullable String ifNoneMatch) {
        var asset = assets.asset("/assets/" + name)
                .orElseThrow(() -> new NotFound("The asset /assets/" + name + " (an older release's, perhaps)"));
        return serve(asset, ASSET, acceptEncoding, ifNoneMatch);
    }

    private static ResponseEntity<byte[]> serve(
            UiAssets.Asset asset,
            @Nullable String cacheControl,
            @Nullable String acceptEncoding,
            @Nullable String ifNoneMatch) {
        var coding = asset.coding(acceptEncoding);
        var etag = asset.etag(coding);
        var headers = new HttpHeaders();
        headers.setETag(etag);
        headers.set(HttpHeaders.CACHE_CONTROL, cacheControl);
        headers.set(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
        if (EntityTags.matches(ifNoneMatch, etag)) {
            return new ResponseEntity<>(headers, HttpStatus.NOT_MODIFIED);
        }
        headers.setContentType(asset.type());
        if (coding.token() != null) {
            headers.set(HttpHeaders.CONTENT_ENCODING, coding.token());
        }
        return new ResponseEntity<>(asset.body(coding), headers, HttpStatus.OK);
    }
}
