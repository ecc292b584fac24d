package dev.prescient.testkit;

import io.grpc.Status;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a {@link FakeNodeAgent} has been told to fail: every call, the next call(s) of an RPC, RPCs blocked as
 * UNAVAILABLE, operations of a kind, and a delay before every call. The fake's public switches set it; each call asks
 * {@link #before} what to throw.
 */
final class InjectedFailures {
    private final Map<String, Status> failNextStatus = new ConcurrentHashMap<>();
    private final Map<String, Integer> failNextTimes = new ConcurrentHashMap<>();
    private final Set<String> failingKinds = ConcurrentHashMap.newKeySet();
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();
    private volatile Status failAll;
    private volatile long delayMillis;

    void failNext(String method, Status status) {
        failNextStatus.put(method, status);
    }

    void failNext(String method, int times) {
        failNextTimes.put(method, times);
    }

    void failAll(Status status) {
        failAll = status;
    }

    void block(String method, boolean block) {
        if (block) {
            blocked.add(method);
        } else {
            blocked.remove(method);
        }
    }

    void failOperations(String kind, boolean fail) {
        if (fail) {
            failingKinds.add(kind);
        } else {
            failingKinds.remove(kind);
        }
    }

    boolean operationFails(String kind) {
        return failingKinds.contains(kind);
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    /** Sleeps the delay, then returns the failure a call of {@code method} gets (one-shot ones are used up), or null. */
    Status before(String method) {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Status s = failAll;
        if (s == null && blocked.contains(method)) {
            s = Status.UNAVAILABLE.withDescription(method + ": blocked");
        }
        if (s == null) {
            s = failNextStatus.remove(method);
        }
        if (s == null) {
            boolean[] counted = {false};
            failNextTimes.computeIfPresent(method, (k, n) -> {
                counted[0] = true;
                return n > 1 ? n - 1 : null;
            });
            if (counted[0]) {
                s = Status.INTERNAL;
            }
        }
        return s;
    }
}
