package dev.prescient.local.scenario;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A workload scenario as written in local/scenarios/*.yaml. Plain data, validated on load. */
@JsonIgnoreProperties(ignoreUnknown = false)
public final class Scenario {
    public String name = "unnamed";
    public int tickMillis = 500;
    public int dayLengthSeconds = 60;
    public int durationSeconds = 240;
    public int blockSize = 65536;
    public int extentSize = 1 << 20;
    /** Seed of the workload's random choices (blocks, noise, random readers): same seed, same workload. */
    public long seed = 42;
    public List<String> nodes = new ArrayList<>();
    public List<VolumeSpec> volumes = new ArrayList<>();
    public List<Hotspot> hotspots = new ArrayList<>();
    public List<Background> background = new ArrayList<>();
    public DegradingNode degradingNode;
    public List<Growth> growth = new ArrayList<>();
    public List<Trace> traces = new ArrayList<>();
    public Policy policy = new Policy();

    public static final class VolumeSpec {
        public String name;
        public int sizeMiB = 32;
        public String node;
        public String tier = "ssd";
    }

    public static final class Hotspot {
        public String volume;
        public int firstExtent;
        public int extents = 4;
        public int opsPerTick = 10;
        /** Daily swing of the load: ops = opsPerTick * (1 + amplitude * sin(2 pi timeOfDay)). */
        public double diurnalAmplitude = 0.5;
        public List<Slot> schedule = new ArrayList<>();
        /**
         * When > 0 the schedule is ignored: every this many seconds the reader is a node drawn at random (seeded),
         * an access pattern no daily profile can forecast.
         */
        public int randomReaderEverySeconds;
    }

    public static final class Slot {
        public double at;
        public String node;
    }

    public static final class Background {
        public String volume;
        public int opsPerTick = 1;
        public double writeFraction = 0.5;
    }

    /** A node whose media slow down: its engines add latency that grows from startSeconds on. */
    public static final class DegradingNode {
        public String node;
        public int startSeconds;
        /** Microseconds added to every request per second since startSeconds. */
        public double latencyMicrosPerSecond = 200;
        /** The slowdown stops growing here. */
        public long maxLatencyMicros = 50_000;
    }

    public static final class Growth {
        public String volume;
        public double fromFraction = 0.2;
        public double toFraction = 1.0;
        public int overSeconds = 120;
    }

    /** Replay of a block trace through a volume's NBD export; offsets wrap modulo the volume size. */
    public static final class Trace {
        public String volume;
        /** Relative to the repository root. */
        public String file;
        /** arc, msr, tencent or systor. */
        public String format = "arc";
        public int requestsPerTick = 10;
    }

    /** How the operator is set up for the scenario's compressed time (it decides everything; see README). */
    public static final class Policy {
        /** The MirrorPolicy every volume names, applied at start (path relative to the repository root). */
        public String file = "local/scenarios/local-policy.yaml";
        /** Half-life of the engines' decayed heat, in seconds: the operator's sense of hot and cold. */
        public int engineHeatHalfLifeSeconds = 20;
        /** Decayed accesses at which the operator scores a volume 63% hot (prescient.planner.heat-scale). */
        public double heatScale = 300;
        /** How far ahead the operator's affinity forecast looks, in seconds (prescient.planner.lead-time). */
        public int leadTimeSeconds = 8;
        /** Decay of the live view's heat map, in ticks. */
        public int heatHalfLifeTicks = 10;
    }

    /** The scenario's problem in words; thrown on load. */
    public static final class InvalidScenarioException extends IllegalArgumentException {
        public InvalidScenarioException(String message) {
            super(message);
        }
    }

    public static Scenario load(Path file) throws IOException {
        Scenario s = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Scenario.class);
        s.validate();
        return s;
    }

    public static Scenario parse(String yaml) throws IOException {
        Scenario s = new ObjectMapper(new YAMLFactory()).readValue(yaml, Scenario.class);
        s.validate();
        return s;
    }

    public VolumeSpec volume(String name) {
        return volumes.stream().filter(v -> v.name.equals(name)).findFirst()
                .orElseThrow(() -> new InvalidScenarioException("no volume named " + name));
    }

    /** Fraction of the simulated day at {@code seconds} since the start. */
    public double timeOfDay(double seconds) {
        double d = seconds / dayLengthSeconds;
        return d - Math.floor(d);
    }

    /** Operations of a hot spot in one tick at a time of day (before noise). */
    public static double hotspotOps(Hotspot h, double timeOfDay) {
        return Math.max(0, h.opsPerTick * (1 + h.diurnalAmplitude * Math.sin(2 * Math.PI * timeOfDay)));
    }

    /**
     * Which node reads the hot spot {@code seconds} into the run: a random reader (seeded, a pure function of the
     * slot) or the schedule's at that time of day.
     */
    public String readerAtSeconds(Hotspot h, double seconds) {
        if (h.randomReaderEverySeconds > 0) {
            long slot = (long) Math.floor(seconds / h.randomReaderEverySeconds);
            // SplittableRandom mixes its seed: java.util.Random's first draw barely changes between consecutive
            // seeds (seed 42 gave the same reader for four slots in a row, three times).
            return nodes.get(new java.util.SplittableRandom(seed * 1_000_003L + slot).nextInt(nodes.size()));
        }
        return readerAt(h, timeOfDay(seconds));
    }

    /** Which node reads the hot spot at a time of day: the last slot that started at or before it. */
    public static String readerAt(Hotspot h, double timeOfDay) {
        String node = h.schedule.get(h.schedule.size() - 1).node;
        for (Slot s : h.schedule) {
            if (s.at <= timeOfDay) {
                node = s.node;
            }
        }
        return node;
    }

    void validate() {
        if (nodes.size() < 2) {
            throw new InvalidScenarioException("at least two nodes are needed to move anything");
        }
        if (tickMillis < 50 || dayLengthSeconds < 5) {
            throw new InvalidScenarioException("tickMillis >= 50 and dayLengthSeconds >= 5");
        }
        if (blockSize <= 0 || extentSize % blockSize != 0) {
            throw new InvalidScenarioException("extentSize must be a multiple of blockSize");
        }
        for (VolumeSpec v : volumes) {
            if (!nodes.contains(v.node)) {
                throw new InvalidScenarioException("volume " + v.name + " on unknown node " + v.node);
            }
            if ((long) v.sizeMiB * (1 << 20) % extentSize != 0) {
                throw new InvalidScenarioException("volume " + v.name + " size is not a whole number of extents");
            }
        }
        for (Hotspot h : hotspots) {
            VolumeSpec v = volume(h.volume);
            if (h.schedule.isEmpty() && h.randomReaderEverySeconds <= 0) {
                throw new InvalidScenarioException("hot spot on " + h.volume + " has no schedule");
            }
            for (Slot s : h.schedule) {
                if (!nodes.contains(s.node) || s.at < 0 || s.at >= 1) {
                    throw new InvalidScenarioException("bad slot " + s.node + "@" + s.at + " for " + h.volume);
                }
            }
            if ((long) (h.firstExtent + h.extents) * extentSize > (long) v.sizeMiB << 20) {
                throw new InvalidScenarioException("hot spot extends past the end of " + h.volume);
            }
        }
        for (Background b : background) {
            volume(b.volume);
        }
        for (Growth g : growth) {
            volume(g.volume);
        }
        for (Trace t : traces) {
            volume(t.volume);
            try {
                TraceReader.format(t.format);
            } catch (IllegalArgumentException e) {
                throw new InvalidScenarioException("unknown trace format " + t.format + " (arc, msr, tencent, systor)");
            }
        }
        if (policy.engineHeatHalfLifeSeconds <= 0 || policy.heatScale <= 0 || policy.leadTimeSeconds < 0) {
            throw new InvalidScenarioException("policy: engineHeatHalfLifeSeconds and heatScale > 0, leadTimeSeconds >= 0");
        }
        if (degradingNode != null && !nodes.contains(degradingNode.node)) {
            throw new InvalidScenarioException("degrading node " + degradingNode.node + " is not in nodes");
        }
    }
}
