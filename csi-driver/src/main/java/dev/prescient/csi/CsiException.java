package dev.prescient.csi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A failure that already knows its gRPC status and a short machine-readable reason, so services
 * return it without wrapping (the CSI sidecars act on the code: ABORTED retries, NOT_FOUND on
 * delete means done, and so on).
 */
public class CsiException extends RuntimeException {
    private final Status.Code code;
    private final String reason;

    public CsiException(Status.Code code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    public CsiException(Status.Code code, String reason, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.reason = reason;
    }

    public Status.Code code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public StatusRuntimeException toStatus() {
        return Status.fromCode(code).withDescription(reason + ": " + getMessage()).withCause(getCause())
                .asRuntimeException();
    }

    public static CsiException invalid(String message) {
        return new CsiException(Status.Code.INVALID_ARGUMENT, "InvalidArgument", message);
    }

    public static CsiException notFound(String message) {
        return new CsiException(Status.Code.NOT_FOUND, "NotFound", message);
    }

    public static CsiException internal(String reason, String message, Throwable cause) {
        return new CsiException(Status.Code.INTERNAL, reason, message, cause);
    }
}
