package dev.prescient.predict.common;

import java.io.IOException;

/** Serialised model state that cannot be restored, with the reason. */
public final class ModelFormatException extends IOException {
    public enum Reason { BAD_MAGIC, UNSUPPORTED_VERSION, CORRUPT }

    private final Reason reason;

    public ModelFormatException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
