package dev.prescient.operator.agent;

/** A failed node-agent call, with a reason that decides whether retrying can help. */
public final class NodeAgentException extends RuntimeException {

    public enum Reason {
        /** The agent could not be reached or timed out: retry. */
        Unavailable(true),
        /** The thing asked about does not exist. */
        NotFound(false),
        /** The agent refused because of the state it is in (e.g. no room on the tier). */
        FailedPrecondition(false),
        /** The agent tried and failed. */
        Internal(false);

        private final boolean retryable;

        Reason(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Reason reason;
    private final String node;

    public NodeAgentException(Reason reason, String node, String message) {
        super("node " + node + ": " + reason + ": " + message);
        this.reason = reason;
        this.node = node;
    }

    public NodeAgentException(Reason reason, String node, String message, Throwable cause) {
        super("node " + node + ": " + reason + ": " + message, cause);
        this.reason = reason;
        this.node = node;
    }

    public Reason reason() {
        return reason;
    }

    public String node() {
        return node;
    }
}
