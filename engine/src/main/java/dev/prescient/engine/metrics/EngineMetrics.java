package dev.prescient.engine.metrics;

import dev.prescient.engine.heat.IoListener;
import dev.prescient.engine.heat.IoOp;
import dev.prescient.engine.nbd.NbdServer;
import java.util.function.LongConsumer;

/**
 * What an engine process exports: per volume and operation the requests, bytes, errors and latency its NBD
 * front-end served, the front-end's connections and buffer use, and per volume the switchovers and their
 * I/O pause. Fed by the same {@link IoListener} calls as heat telemetry.
 */
public final class EngineMetrics {
    /** Request latency buckets, seconds: 50 us (page cache) to 5 s (a stalled medium). */
    public static final double[] LATENCY_BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
            0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
    /** Switchover pause buckets, seconds. */
    public static final double[] PAUSE_BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

    private final MetricRegistry registry;
    private final MetricRegistry.Family requests;
    private final MetricRegistry.Family bytes;
    private final MetricRegistry.Family errors;
    private final MetricRegistry.Family latency;
    private final MetricRegistry.Family switchovers;
    private final MetricRegistry.Family pauses;

    public EngineMetrics(MetricRegistry registry) {
        this.registry = registry;
        requests = registry.counter("prescient_engine_requests", "NBD requests served, by volume and operation",
                "volume", "op");
        bytes = registry.counter("prescient_engine_bytes", "Bytes read or written through the NBD front-end",
                "volume", "op");
        errors = registry.counter("prescient_engine_request_errors", "NBD requests answered with an error",
                "volume", "op");
        latency = registry.histogram("prescient_engine_request_seconds",
                "Time from an NBD request's arrival to its reply", LATENCY_BUCKETS, "volume", "op");
        switchovers = registry.counter("prescient_engine_switchovers", "Completed switchovers of the replica set",
                "volume");
        pauses = registry.histogram("prescient_engine_switchover_pause_seconds",
                "I/O pause of each completed switchover", PAUSE_BUCKETS, "volume");
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** The listener that counts one volume's I/O; its series exist from the start (zero until traffic). */
    public IoListener volume(String volume) {
        IoOp[] ops = IoOp.values();
        MetricRegistry.Counter[] req = new MetricRegistry.Counter[ops.length];
        MetricRegistry.Counter[] byt = new MetricRegistry.Counter[ops.length];
        MetricRegistry.Counter[] err = new MetricRegistry.Counter[ops.length];
        MetricRegistry.Histogram[] lat = new MetricRegistry.Histogram[ops.length];
        for (IoOp op : ops) {
            String name = op.name().toLowerCase(java.util.Locale.ROOT);
            req[op.ordinal()] = requests.counter(volume, name);
            byt[op.ordinal()] = bytes.counter(volume, name);
            err[op.ordinal()] = errors.counter(volume, name);
            lat[op.ordinal()] = latency.histogram(volume, name);
        }
        switchovers.counter(volume);
        return (consumer, op, offset, length, nanos, errno) -> {
            int i = op.ordinal();
            req[i].inc();
            if (errno != 0) {
                err[i].inc();
            } else if (op == IoOp.READ || op == IoOp.WRITE) {
                byt[i].add(length);
            }
            lat[i].observeNanos(nanos);
        };
    }

    /** Counts a volume's switchovers and their pauses (give to {@code VolumeControl.onSwitch}). */
    public LongConsumer switchovers(String volume) {
        MetricRegistry.Counter n = switchovers.counter(volume);
        MetricRegistry.Histogram p = pauses.histogram(volume);
        return pauseNanos -> {
            n.inc();
            p.observeNanos(pauseNanos);
        };
    }

    /** The front-end's connection and memory gauges, read at each scrape. */
    public void nbdServer(NbdServer server) {
        registry.gauge("prescient_engine_nbd_connections", "Open NBD connections").gauge(server::connectionCount);
        registry.gauge("prescient_engine_nbd_refused_connections",
                "NBD connections refused since start (over the connection limit)")
                .gauge(server::refusedConnections);
        registry.gauge("prescient_engine_nbd_buffer_bytes", "Request buffer memory in use by the NBD front-end")
                .gauge(server::bufferBytesInUse);
    }

    /** Combines two listeners (heat telemetry and these metrics). */
    public static IoListener both(IoListener a, IoListener b) {
        return (consumer, op, offset, length, nanos, errno) -> {
            a.onIo(consumer, op, offset, length, nanos, errno);
            b.onIo(consumer, op, offset, length, nanos, errno);
        };
    }
}
