package dev.prescient.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The operator's Micrometer meters, named prescient_*, exported in Prometheus format by Quarkus. */
public final class OperatorMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A migration entered a phase; counted by phase and by the migration's reason. */
    public void migrationPhase(String phase, String reason) {
        Counter.builder("prescient.migrations").tag("phase", phase).tag("reason", reason)
                .description("Migrations that entered a phase").register(registry).increment();
    }

    public void bytesMoved(String reason, long bytes) {
        Counter.builder("prescient.migration.bytes.moved").tag("reason", reason).baseUnit("bytes")
                .register(registry).increment(bytes);
    }

    public void pause(double millis) {
        DistributionSummary.builder("prescient.migration.pause").baseUnit("milliseconds")
                .description("I/O pause measured at the switch").register(registry).record(millis);
    }

    public void decision(String kind, String outcome) {
        Counter.builder("prescient.planner.decisions").tag("kind", kind).tag("outcome", outcome)
                .register(registry).increment();
    }

    public void plannerPass(Duration took) {
        Timer.builder("prescient.planner.pass").register(registry).record(took);
    }

    public void reconcileError(String kind, String reason) {
        Counter.builder("prescient.reconcile.errors").tag("kind", kind).tag("reason", reason)
                .register(registry).increment();
    }

    /** A gauge with a value set from outside (scores, forecasts, probabilities scaled by 1000). */
    public void gauge(String name, String tagKey, String tagValue, double value) {
        String key = name + "|" + tagKey + "|" + tagValue;
        AtomicLong holder = gauges.computeIfAbsent(key, k -> {
            AtomicLong h = new AtomicLong();
            registry.gauge(name, io.micrometer.core.instrument.Tags.of(tagKey, tagValue), h,
                    x -> Double.longBitsToDouble(x.get()));
            return h;
        });
        holder.set(Double.doubleToLongBits(value));
    }
}
