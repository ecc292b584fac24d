package dev.prescient.operator.migration;

/** A migration step that cannot go on, with a reason that ends up in the Ready condition and an Event. */
public final class MigrationException extends RuntimeException {

    public enum Reason { SourceNotFound, VolumeNotFound, TransferFailed, VerificationFailed, SwitchFailed, AgentError }

    private final Reason reason;
    private final boolean retryable;

    public MigrationException(Reason reason, boolean retryable, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.retryable = retryable;
    }

    public Reason reason() {
        return reason;
    }

    public boolean retryable() {
        return retryable;
    }
}
