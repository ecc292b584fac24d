package dev.prescient.engine.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The few metric kinds the engine and the node agent export, rendered in the Prometheus text format (0.0.4).
 * Neither process has Micrometer on its classpath (STACK.md: Quarkus' Prometheus registry and plain Micrometer
 * must not share code), and these counters sit on the I/O path, so they are plain {@link LongAdder}s.
 * A family is declared once with its label names; each series is looked up by label values.
 */
public final class MetricRegistry {

    private final Map<String, Family> families = new ConcurrentSkipListMap<>();

    /** A monotonically increasing count. */
    public Family counter(String name, String help, String... labelNames) {
        return family(name, help, Kind.COUNTER, null, labelNames);
    }

    /** A value read when scraped (set by {@link Family#gauge}). */
    public Family gauge(String name, String help, String... labelNames) {
        return family(name, help, Kind.GAUGE, null, labelNames);
    }

    /** Observations in fixed buckets (upper bounds, ascending, in the unit of the observations). */
    public Family histogram(String name, String help, double[] buckets, String... labelNames) {
        return family(name, help, Kind.HISTOGRAM, buckets.clone(), labelNames);
    }

    private Family family(String name, String help, Kind kind, double[] buckets, String[] labelNames) {
        Family f = families.computeIfAbsent(name, n -> new Family(n, help, kind, buckets, labelNames));
        if (f.kind != kind || !Arrays.equals(f.labelNames, labelNames)) {
            throw new IllegalArgumentException("metric " + name + " already declared as " + f.kind + " with labels "
                    + Arrays.toString(f.labelNames));
        }
        return f;
    }

    /** Drops every series of every family whose label {@code label} has {@code value} (a volume that left). */
    public void removeSeries(String label, String value) {
        for (Family f : families.values()) {
            int i = Arrays.asList(f.labelNames).indexOf(label);
            if (i >= 0) {
                f.series.keySet().removeIf(k -> k.get(i).equals(value));
            }
        }
    }

    /** The whole registry in the Prometheus text exposition format. */
    public String scrape() {
        StringBuilder b = new StringBuilder(4096);
        for (Family f : families.values()) {
            f.render(b);
        }
        return b.toString();
    }

    enum Kind {
        COUNTER("counter"), GAUGE("gauge"), HISTOGRAM("histogram");

        final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    /** One metric name with its label names; its series are created on first use. */
    public static final class Family {
        final String name;
        final String help;
        final Kind kind;
        final double[] buckets;
        final String[] labelNames;
        final Map<List<String>, Object> series = new ConcurrentHashMap<>();

        Family(String name, String help, Kind kind, double[] buckets, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.kind = kind;
            this.buckets = buckets;
            this.labelNames = labelNames.clone();
        }

        private List<String> key(String[] values) {
            if (values.length != labelNames.length) {
                throw new IllegalArgumentException(name + " wants labels " + Arrays.toString(labelNames));
            }
            return List.of(values);
        }

        public Counter counter(String... labelValues) {
            if (kind != Kind.COUNTER) {
                throw new IllegalStateException(name + " is a " + kind.text);
            }
            return (Counter) series.computeIfAbsent(key(labelValues), k -> new Counter());
        }

        public Histogram histogram(String... labelValues) {
            if (kind != Kind.HISTOGRAM) {
                throw new IllegalStateException(name + " is a " + kind.text);
            }
            return (Histogram) series.computeIfAbsent(key(labelValues), k -> new Histogram(buckets));
        }

        /** A counter kept elsewhere (an {@code AtomicLong} of its owner), read at every scrape. */
        public void counterFrom(java.util.function.LongSupplier value, String... labelValues) {
            if (kind != Kind.COUNTER) {
                throw new IllegalStateException(name + " is a " + kind.text);
            }
            series.put(key(labelValues), value);
        }

        /** Reads {@code value} at every scrape; replaces an earlier supplier of the same series. */
        public void gauge(DoubleSupplier value, String... labelValues) {
            if (kind != Kind.GAUGE) {
                throw new IllegalStateException(name + " is a " + kind.text);
            }
            series.put(key(labelValues), value);
        }

        void render(StringBuilder b) {
            if (series.isEmpty()) {
                return;
            }
            b.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n');
            b.append("# TYPE ").append(name).append(' ').append(kind.text).append('\n');
            List<Map.Entry<List<String>, Object>> sorted = new ArrayList<>(series.entrySet());
            sorted.sort((x, y) -> String.join("\0", x.getKey()).compareTo(String.join("\0", y.getKey())));
            for (Map.Entry<List<String>, Object> e : sorted) {
                String labels = labels(e.getKey(), null, null);
                switch (kind) {
                    case COUNTER -> line(b, name + "_total", labels, e.getValue() instanceof Counter c ? c.get()
                            : ((java.util.function.LongSupplier) e.getValue()).getAsLong());
                    case GAUGE -> line(b, name, labels, ((DoubleSupplier) e.getValue()).getAsDouble());
                    case HISTOGRAM -> {
                        Histogram h = (Histogram) e.getValue();
                        long cumulative = 0;
                        for (int i = 0; i < buckets.length; i++) {
                            cumulative += h.counts[i].sum();
                            line(b, name + "_bucket", labels(e.getKey(), "le", number(buckets[i])), cumulative);
                        }
                        cumulative += h.counts[buckets.length].sum();
                        line(b, name + "_bucket", labels(e.getKey(), "le", "+Inf"), cumulative);
                        line(b, name + "_sum", labels, h.sum.sum() / h.scale);
                        line(b, name + "_count", labels, cumulative);
                    }
                }
            }
        }

        private String labels(List<String> values, String extraName, String extraValue) {
            if (values.isEmpty() && extraName == null) {
                return "";
            }
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(labelNames[i]).append("=\"").append(escape(values.get(i))).append('"');
            }
            if (extraName != null) {
                b.append(values.isEmpty() ? "" : ",").append(extraName).append("=\"").append(extraValue).append('"');
            }
            return b.append('}').toString();
        }

        private static String escape(String v) {
            return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        }

        private static void line(StringBuilder b, String name, String labels, double value) {
            b.append(name).append(labels).append(' ').append(number(value)).append('\n');
        }
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }

    /** A count that only goes up. */
    public static final class Counter {
        private final LongAdder value = new LongAdder();

        public void inc() {
            value.increment();
        }

        public void add(long n) {
            value.add(n);
        }

        public long get() {
            return value.sum();
        }
    }

    /**
     * Observations counted into buckets. Values are recorded in integer units of 1/{@code scale} (nanoseconds for
     * seconds) so the hot path is two adds; the sum is rendered in the bucket's unit.
     */
    public static final class Histogram {
        private final double[] bounds;
        private final LongAdder[] counts;
        private final LongAdder sum = new LongAdder();
        private final double scale = 1e9;

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new LongAdder[bounds.length + 1];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        /** Records {@code nanos} into a histogram whose buckets are in seconds. */
        public void observeNanos(long nanos) {
            double seconds = nanos / 1e9;
            int i = 0;
            while (i < bounds.length && seconds > bounds[i]) {
                i++;
            }
            counts[i].increment();
            sum.add(nanos);
        }

        public long count() {
            long n = 0;
            for (LongAdder c : counts) {
                n += c.sum();
            }
            return n;
        }
    }
}
