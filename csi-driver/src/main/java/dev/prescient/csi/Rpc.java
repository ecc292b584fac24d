package dev.prescient.csi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where exceptions of a unary call become a gRPC status. */
public final class Rpc {
    private static final Logger LOG = LoggerFactory.getLogger(Rpc.class);

    private Rpc() {
    }

    public static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
        T result;
        try {
            result = body.get();
        } catch (CsiException e) {
            out.onError(e.toStatus());
            return;
        } catch (StatusRuntimeException e) {
            // Already a status (e.g. from a node agent): pass it through unchanged.
            out.onError(e);
            return;
        } catch (RuntimeException e) {
            LOG.error("unexpected failure", e);
            out.onError(Status.INTERNAL.withDescription("Internal: " + e).withCause(e).asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }
}
