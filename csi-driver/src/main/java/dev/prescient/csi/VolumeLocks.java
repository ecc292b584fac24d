package dev.prescient.csi;

import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key try-locks: a second call on a volume (or snapshot, or volume name) while one is in
 * flight fails fast with ABORTED instead of queueing, as the CSI spec asks; the sidecars retry.
 */
public final class VolumeLocks {
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    /** A held lock; close releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    public Held acquire(String key) {
        if (!held.add(key)) {
            throw new CsiException(Status.Code.ABORTED, "OperationInFlight",
                    "an operation on " + key + " is already in progress");
        }
        return () -> held.remove(key);
    }

    public boolean isHeld(String key) {
        return held.contains(key);
    }
}
