package dev.prescient.csi.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every call: method, the volume it is about, the sanitized request, status and duration. */
public final class LoggingInterceptor implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger("dev.prescient.csi.grpc");
    private final AtomicLong seq = new AtomicLong();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long id = seq.incrementAndGet();
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getBareMethodName();
        String[] subject = {"-"};
        ServerCall<Q, R> logged = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                long micros = (System.nanoTime() - start) / 1000;
                if (status.isOk()) {
                    LOG.info("#{} {} {} -> OK in {} us", id, method, subject[0], micros);
                } else {
                    LOG.warn("#{} {} {} -> {} {} in {} us", id, method, subject[0], status.getCode(),
                            status.getDescription(), micros);
                }
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(logged, headers)) {
            @Override
            public void onMessage(Q message) {
                subject[0] = ProtoSanitizer.subjectOf(message);
                LOG.info("#{} {} {} request: {}", id, method, subject[0], ProtoSanitizer.toLogString(message));
                super.onMessage(message);
            }
        };
    }
}
