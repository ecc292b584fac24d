package dev.prescient.operator.plan;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReadServingTest {

    static final Instant T0 = Instant.parse("2026-12-08T01:37:00Z");

    /**
     * Local mode, orders-db: reads moved to the kept copy on node-a at 01:37:00 and back to node-b's primary at
     * 01:37:44; at 01:37:46 the copy was removed as "never read for 1m35s" (expireAfter 90 s) and copied again at the
     * reader's next return. Served until 01:37:44, it was last read then.
     */
    @Test
    void aCopyThatServedReadsIsReadUntilItStoppedServing() {
        ReadServing s = new ReadServing();
        Map<String, ReadPlacement.Current> onA = Map.of("orders-db",
                new ReadPlacement.Current("node-b", "r-b", "r-a"));
        Map<String, ReadPlacement.Current> onB = Map.of("orders-db",
                new ReadPlacement.Current("node-b", "r-b", "r-b"));
        for (int t = 0; t <= 44; t += 2) {
            s.observe(onA, T0.plusSeconds(t));
        }
        s.observe(onB, T0.plusSeconds(46));
        assertThat(s.lastRead("r-a", null)).isEqualTo(T0.plusSeconds(44));
        assertThat(s.lastRead("r-b", null)).isEqualTo(T0.plusSeconds(46));
        // Its node's own heat, when later, wins; a replica never serving has only that.
        assertThat(s.lastRead("r-a", T0.plusSeconds(50))).isEqualTo(T0.plusSeconds(50));
        assertThat(s.lastRead("r-c", null)).isNull();
        assertThat(s.lastRead("r-c", T0)).isEqualTo(T0);
        // The planner then keeps it: idle 2 s, not 95 s, against expireAfter 90 s.
        assertThat(Duration.between(s.lastRead("r-a", null), T0.plusSeconds(46))).isEqualTo(Duration.ofSeconds(2));
        s.retain(Set.of("r-b"));
        assertThat(s.lastRead("r-a", null)).as("a deleted replica is forgotten").isNull();
    }
}
