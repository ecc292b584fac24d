package dev.prescient.engine.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Collects the JVM's stop-the-world collections while a benchmark runs, in milliseconds since JVM
 * start (the clock of -Xlog:gc's uptime decoration), so a slow sample can be matched to a GC
 * pause. Concurrent cycles (they do not stop the application) are left out.
 */
final class GcWatch implements AutoCloseable {
    private record Pause(String name, long startMs, long endMs) {
    }

    private final List<Pause> pauses = new ArrayList<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    private final long jvmStartNanos;

    GcWatch() {
        long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
        jvmStartNanos = System.nanoTime() - uptimeMs * 1_000_000L;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (b instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo i = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        if (i.getGcName().contains("Concurrent") || i.getGcCause().contains("Concurrent")) {
            return;
        }
        synchronized (pauses) {
            pauses.add(new Pause(i.getGcName() + " (" + i.getGcCause() + ")", i.getGcInfo().getStartTime(),
                    i.getGcInfo().getEndTime()));
        }
    }

    long toUptimeMs(long nanoTime) {
        return (nanoTime - jvmStartNanos) / 1_000_000L;
    }

    int count() {
        synchronized (pauses) {
            return pauses.size();
        }
    }

    double longestMs() {
        synchronized (pauses) {
            return pauses.stream().mapToLong(p -> p.endMs() - p.startMs()).max().orElse(0);
        }
    }

    /** The GC pauses overlapping [startMs, endMs] (1 ms slack: the clocks have ms resolution), or "no GC". */
    String overlapping(long startMs, long endMs) {
        StringBuilder b = new StringBuilder();
        synchronized (pauses) {
            for (Pause p : pauses) {
                if (p.endMs() >= startMs - 1 && p.startMs() <= endMs + 1) {
                    b.append(b.isEmpty() ? "" : ", ").append(p.name()).append(' ').append(p.endMs() - p.startMs())
                            .append(" ms");
                }
            }
        }
        return b.isEmpty() ? "no GC" : b.toString();
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // never added: nothing to undo
            }
        }
    }
}
