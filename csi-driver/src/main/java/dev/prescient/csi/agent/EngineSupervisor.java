package dev.prescient.csi.agent;

import dev.prescient.csi.NbdProbe;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health that means serving: every look, each engine the agent wants serving must complete an NBD
 * handshake; a dead engine is started again and a wedged one (alive, no handshake for
 * {@link EngineWatchdog}'s count of looks) is killed and started again. The decisions are the
 * watchdog's; this class only looks and acts.
 */
public final class EngineSupervisor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSupervisor.class);
    private final EngineExports exports;
    private final EngineWatchdog watchdog;
    private final int probeTimeoutMillis;
    private final AtomicLong restarts = new AtomicLong();

    public EngineSupervisor(EngineExports exports, EngineWatchdog watchdog, int probeTimeoutMillis) {
        this.exports = exports;
        this.watchdog = watchdog;
        this.probeTimeoutMillis = probeTimeoutMillis;
    }

    /** Engines started again since this supervisor began. */
    public long restarts() {
        return restarts.get();
    }

    @Override
    public synchronized void run() {
        Map<String, EngineExports.Wanted> wanted = exports.wanted();
        watchdog.retainOnly(wanted.keySet());
        for (String replicaId : wanted.keySet()) {
            try {
                look(replicaId);
            } catch (IOException | RuntimeException e) {
                // One replica that cannot be brought back must not stop the others' supervision.
                LOG.error("replica {}: engine could not be brought back: {}", replicaId, e.getMessage());
            }
        }
    }

    private void look(String replicaId) throws IOException {
        Optional<Long> pid = exports.pid(replicaId);
        Optional<String> failure = Optional.empty();
        if (pid.isPresent()) {
            Optional<String> uri = exports.uriIfKnown(replicaId);
            failure = uri.isEmpty() ? Optional.of("no export address") : NbdProbe.probe(uri.get(), probeTimeoutMillis);
        }
        switch (watchdog.observe(replicaId, pid.isPresent(), failure.isEmpty())) {
            case NONE -> failure.ifPresent(f -> LOG.warn("replica {}: engine pid {} did not complete an NBD handshake"
                    + " (counting): {}", replicaId, pid.get(), f));
            case RESTART_DEAD -> {
                LOG.warn("replica {}: its engine is not running; starting it again", replicaId);
                exports.revive(replicaId, 0).ifPresent(u -> restarts.incrementAndGet());
            }
            case KILL_WEDGED -> {
                LOG.error("replica {}: engine pid {} is alive but has not served an NBD handshake in several looks;"
                        + " killing it and starting it again", replicaId, pid.get());
                exports.revive(replicaId, pid.get()).ifPresent(u -> restarts.incrementAndGet());
            }
        }
    }
}
