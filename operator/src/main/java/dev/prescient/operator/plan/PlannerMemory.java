package dev.prescient.operator.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prescient.operator.telemetry.AffinityProfiles;
import dev.prescient.operator.telemetry.NodeHealthModel;
import dev.prescient.operator.telemetry.VolumeForecasts;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the planner carries from pass to pass (each volume's heat class and heat history) and the persistence of
 * everything learnt (with the node health model, the affinity profiles and the used-bytes histories) as typed JSON
 * in the model-state ConfigMaps. Volumes are split into {@link #SHARDS} parts by name, nodes are one part. A part is
 * saved when a decision in it changed (a heat class or history: it must survive a leader change, or the new leader
 * might flap the volume back), and otherwise, with what was only learnt, at most every {@code learntEvery}; the
 * store then writes only the parts whose JSON changed.
 */
public final class PlannerMemory {

    private static final Logger LOG = Logger.getLogger(PlannerMemory.class);

    static final int SHARDS = 16;
    static final int VERSION = 1;
    static final String NODES = "nodes";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true);

    /** A heat history as stored: instants as epoch milliseconds, null for none. */
    record StoredHistory(Long coolingSince, double coolingPeak, Long demotedAt, int regretted) {

        static StoredHistory of(ClusterView.HeatHistory h) {
            return new StoredHistory(millis(h.coolingSince()), h.coolingPeak(), millis(h.demotedAt()), h.regretted());
        }

        /** Null for a history no version of this class writes: that volume's history starts over. */
        ClusterView.HeatHistory toHistory() {
            if (regretted < 0 || Double.isNaN(coolingPeak)) {
                return null;
            }
            return new ClusterView.HeatHistory(instant(coolingSince), coolingPeak, instant(demotedAt), regretted);
        }

        private static Long millis(Instant t) {
            return t == null ? null : t.toEpochMilli();
        }

        private static Instant instant(Long millis) {
            return millis == null ? null : Instant.ofEpochMilli(millis);
        }
    }

    /**
     * One shard of volumes: decisions (heat, heatHistory) and what was learnt, as the models encode it (base64 of
     * their compact binary form; affinity keys are "volume|node").
     */
    record VolumeShard(int version, Map<String, HeatLevel> heat, Map<String, StoredHistory> heatHistory,
                       Map<String, String> affinity, Map<String, String> used) {
    }

    /** The node health model's export: the adaptive threshold and every node's signal trackers. */
    record NodeState(int version, Map<String, String> health) {
    }

    private final ModelState store;
    private final NodeHealthModel health;
    private final AffinityProfiles profiles;
    private final VolumeForecasts forecasts;
    private final Map<String, HeatLevel> heat = new ConcurrentHashMap<>();
    private final Map<String, ClusterView.HeatHistory> heatHistory = new ConcurrentHashMap<>();
    private final int[] savedDecisions = new int[SHARDS];
    private volatile Duration learntEvery;
    private Instant learntSavedAt;
    private volatile boolean restored;

    public PlannerMemory(ModelState store, NodeHealthModel health, AffinityProfiles profiles, VolumeForecasts forecasts,
                  Duration learntEvery) {
        this.store = store;
        this.health = health;
        this.profiles = profiles;
        this.forecasts = forecasts;
        this.learntEvery = learntEvery;
    }

    public void setLearntEvery(Duration every) {
        this.learntEvery = every;
    }

    public boolean flush(Duration timeout) throws InterruptedException {
        return store.flush(timeout);
    }

    static int shard(String volume) {
        return Math.floorMod(volume.hashCode(), SHARDS);
    }

    static String part(int shard) {
        return "volumes-" + shard;
    }

    public HeatLevel heat(String volume) {
        return heat.get(volume);
    }

    public ClusterView.HeatHistory history(String volume) {
        return heatHistory.get(volume);
    }

    public void remember(Plan.DesiredPlacement p) {
        heat.put(p.volume(), p.heat());
        if (p.heatHistory() == null || p.heatHistory().equals(ClusterView.HeatHistory.NONE)) {
            heatHistory.remove(p.volume());
        } else {
            heatHistory.put(p.volume(), p.heatHistory());
        }
    }

    public void retain(Set<String> volumes) {
        heat.keySet().retainAll(volumes);
        heatHistory.keySet().retainAll(volumes);
    }

    /** Reads the state back, once (the first pass of this leader). */
    public void restoreOnce() {
        if (restored) {
            return;
        }
        restored = true;
        // The first pass saves everything (what changed since the last leader saved it), then every learntEvery.
        learntSavedAt = null;
        Map<String, String> health0 = new HashMap<>();
        Map<String, String> affinity = new HashMap<>();
        Map<String, String> used = new HashMap<>();
        int parts = 0;
        for (Map.Entry<String, String> e : store.load().entrySet()) {
            try {
                if (e.getKey().equals(NODES)) {
                    NodeState n = JSON.readValue(e.getValue(), NodeState.class);
                    if (n.health() != null) {
                        health0.putAll(n.health());
                    }
                } else if (e.getKey().startsWith("volumes-")) {
                    VolumeShard s = JSON.readValue(e.getValue(), VolumeShard.class);
                    putAll(s.heat(), (k, v) -> heat.put(k, v));
                    putAll(s.heatHistory(), (k, v) -> {
                        ClusterView.HeatHistory h = v.toHistory();
                        if (h != null) {
                            heatHistory.put(k, h);
                        }
                    });
                    putAll(s.affinity(), affinity::put);
                    putAll(s.used(), used::put);
                } else {
                    continue;
                }
                parts++;
            } catch (JsonProcessingException ex) {
                // A part another version wrote, or a damaged one: what it held is relearnt.
                LOG.warnf("%s: model state unreadable, relearnt: %s", store.where(e.getKey()),
                        ex.getOriginalMessage());
            }
        }
        System.arraycopy(decisionHashes(), 0, savedDecisions, 0, SHARDS);
        int n = health.restore(health0) + profiles.restore(affinity) + forecasts.restore(used);
        LOG.infof("model state restored from %d part(s): %d entries", parts, n + heat.size() + heatHistory.size());
    }

    private static <V> void putAll(Map<String, V> m, java.util.function.BiConsumer<String, V> to) {
        if (m != null) {
            m.forEach((k, v) -> {
                if (k != null && v != null) {
                    to.accept(k, v);
                }
            });
        }
    }

    /** Per shard, a hash of its decisions (heat classes and histories). */
    private int[] decisionHashes() {
        int[] h = new int[SHARDS];
        heat.forEach((k, v) -> h[shard(k)] += k.hashCode() ^ v.ordinal());
        heatHistory.forEach((k, v) -> h[shard(k)] += 31 * k.hashCode() ^ v.hashCode());
        return h;
    }

    /**
     * Hands the parts that are due to the store: the shards whose decisions changed since they were last saved, and,
     * once {@code learntEvery} has passed, every part. Returns how many parts were handed over.
     */
    public int persist(Instant now) {
        boolean learnt = learntSavedAt == null || !now.isBefore(learntSavedAt.plus(learntEvery));
        List<Integer> due = new ArrayList<>();
        int[] hashes = decisionHashes();
        for (int i = 0; i < SHARDS; i++) {
            if (learnt || hashes[i] != savedDecisions[i]) {
                due.add(i);
            }
        }
        if (due.isEmpty()) {
            return 0;
        }
        Map<Integer, Map<String, String>> affinity = byShard(profiles.export(), true);
        Map<Integer, Map<String, String>> used = byShard(forecasts.export(), false);
        Map<String, String> parts = new HashMap<>();
        for (int i : due) {
            Map<String, HeatLevel> h = new TreeMap<>();
            Map<String, StoredHistory> hh = new TreeMap<>();
            int s = i;
            heat.forEach((k, v) -> {
                if (shard(k) == s) {
                    h.put(k, v);
                }
            });
            heatHistory.forEach((k, v) -> {
                if (shard(k) == s) {
                    hh.put(k, StoredHistory.of(v));
                }
            });
            parts.put(part(i), fit(part(i), h, hh, affinity.getOrDefault(i, new TreeMap<>()),
                    used.getOrDefault(i, new TreeMap<>())));
            savedDecisions[i] = hashes[i];
        }
        if (learnt) {
            parts.put(NODES, json(new NodeState(VERSION, new TreeMap<>(health.export()))));
            learntSavedAt = now;
        }
        store.save(parts);
        return parts.size();
    }

    /** Model entries grouped by the shard of their volume (affinity keys are "volume|node"). */
    private static Map<Integer, Map<String, String>> byShard(Map<String, String> entries, boolean pairKeys) {
        Map<Integer, Map<String, String>> out = new HashMap<>();
        entries.forEach((k, v) -> {
            int bar = pairKeys ? k.indexOf('|') : -1;
            out.computeIfAbsent(shard(bar < 0 ? k : k.substring(0, bar)), x -> new TreeMap<>()).put(k, v);
        });
        return out;
    }

    /**
     * The shard's JSON within the ConfigMap limit: what is quickest to relearn goes first when it does not fit (the
     * used-bytes histories, then the affinity profiles; decisions are never dropped).
     */
    static String fit(String part, Map<String, HeatLevel> heat, Map<String, StoredHistory> history,
                      Map<String, String> affinity, Map<String, String> used) {
        TreeMap<String, String> u = new TreeMap<>(used);
        TreeMap<String, String> a = new TreeMap<>(affinity);
        while (true) {
            String json = json(new VolumeShard(VERSION, heat, history, a, u));
            if (json.length() <= ModelState.MAX_BYTES || (u.isEmpty() && a.isEmpty())) {
                return json;
            }
            TreeMap<String, String> cut = u.isEmpty() ? a : u;
            int drop = Math.max(1, cut.size() / 10);
            for (int i = 0; i < drop; i++) {
                cut.pollLastEntry();
            }
            LOG.debugf("model state %s over %d bytes: %d entries left out, relearnt", part, ModelState.MAX_BYTES,
                    drop);
        }
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("model state not serialisable", e);
        }
    }

    static <T> T read(String json, Class<T> type) throws JsonProcessingException {
        return JSON.readValue(json, type);
    }
}
