package dev.colloquy.chat;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** Images attached to a question for a model that is not set up to take them; nothing was stored. */
final class ModelCannotSeeImages extends ApiProblem {

    ModelCannotSeeImages(String model) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "model-cannot-see-images",
                "The model does not take images",
                "Model " + model + " does not take images: choose another model for this conversation, or ask"
                        + " without them (an operator marks a model that does with images: true)");
    }
}
