package dev.prescient.engine.control;

/** A control request that was refused or failed; {@code reason} is one word for the reply's ERR line. */
public final class ControlException extends Exception {
    private final String reason;

    public ControlException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ControlException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
