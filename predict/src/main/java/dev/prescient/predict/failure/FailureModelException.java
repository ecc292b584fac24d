package dev.prescient.predict.failure;

import dev.prescient.predict.forecast.ModelStateException;

/** A failure-model state that cannot be restored, or input the model cannot score. */
public class FailureModelException extends ModelStateException {
    public FailureModelException(String reason) {
        super(reason);
    }
}
