package dev.prescient.predict.forecast;

import java.io.IOException;

/** Serialised model state that cannot be restored: wrong magic, unknown version or corrupt data. */
public class ModelStateException extends IOException {
    public ModelStateException(String reason) {
        super(reason);
    }
}
