package dev.prescient.operator.agent;

import dev.prescient.api.nodeagent.v1.Replica;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaInventoryTest {

    /** In-memory agents that count ListReplicas calls; node-c is down. */
    static final class Counting implements NodeAgents {
        final InMemoryNodeAgents inner = new InMemoryNodeAgents();
        final AtomicInteger lists = new AtomicInteger();

        @Override
        public NodeAgentClient forNode(String node) {
            if (node.equals("node-c")) {
                throw new NodeAgentException(NodeAgentException.Reason.Unavailable, node, "down");
            }
            lists.incrementAndGet();
            return inner.forNode(node);
        }

        @Override
        public String replicationAddress(String node) {
            return node + ":1";
        }
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-21T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId z) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void oneSweepServesEveryVolumeUntilItIsStale() {
        Counting agents = new Counting();
        for (String n : List.of("node-a", "node-b")) {
            agents.inner.add(n, "z", Map.of("ssd", 1L << 30));
        }
        for (int i = 0; i < 50; i++) {
            agents.inner.agent(i % 2 == 0 ? "node-a" : "node-b").putReplica("pv-" + i + "-0", "pv-" + i, "ssd",
                    new byte[16]);
        }
        agents.inner.agent("node-b").putReplica("pv-0-1", "pv-0", "ssd", new byte[16]);
        MutableClock clock = new MutableClock();
        ReplicaInventory inv = new ReplicaInventory(agents, clock);
        List<String> nodes = List.of("node-a", "node-b", "node-c");
        for (int i = 0; i < 50; i++) {
            ReplicaInventory.Snapshot s = inv.current(() -> nodes, Duration.ofSeconds(30));
            assertThat(s.replicas("pv-" + i)).hasSize(i == 0 ? 2 : 1);
            assertThat(s.unreachable()).containsExactly("node-c");
        }
        assertThat(agents.lists.get()).as("one call per reachable node, not per volume").isEqualTo(2);
        assertThat(inv.sweeps()).isEqualTo(1);
        assertThat(inv.current(() -> nodes, Duration.ofSeconds(30)).replicas("pv-0"))
                .extracting(Replica::getNodeId).containsExactlyInAnyOrder("node-a", "node-b");

        clock.now = clock.now.plusSeconds(31);
        inv.current(() -> nodes, Duration.ofSeconds(30));
        assertThat(agents.lists.get()).isEqualTo(4);

        // A planner pass publishes what it pulled; reconciles use it instead of sweeping.
        inv.publish(ReplicaInventory.Snapshot.of(clock.now.plusSeconds(5), Map.of("node-a", List.of()), List.of()));
        clock.now = clock.now.plusSeconds(20);
        assertThat(inv.current(() -> nodes, Duration.ofSeconds(30)).replicas("pv-0")).isEmpty();
        assertThat(agents.lists.get()).isEqualTo(4);
        // An older snapshot does not replace a newer one.
        inv.publish(ReplicaInventory.Snapshot.of(clock.now.minusSeconds(100), Map.of(), List.of("x")));
        assertThat(inv.current(() -> nodes, Duration.ofSeconds(30)).unreachable()).isEmpty();
    }

    /** Agents that say a sweep began ({@code inSweep}) and answer only once {@code release} opens: agents under load. */
    static NodeAgents slow(InMemoryNodeAgents inner, CountDownLatch inSweep, CountDownLatch release) {
        return new NodeAgents() {
            @Override
            public NodeAgentClient forNode(String node) {
                inSweep.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return inner.forNode(node);
            }

            @Override
            public String replicationAddress(String node) {
                return node + ":1";
            }
        };
    }

    @Test
    void aPublishDoesNotWaitForASweepInProgressAndTheSweepDoesNotReplaceTheNewerSnapshot() throws Exception {
        CountDownLatch inSweep = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InMemoryNodeAgents inner = new InMemoryNodeAgents();
        inner.add("node-a", "z", Map.of("ssd", 1L << 30));
        inner.agent("node-a").putReplica("pv-1-0", "pv-1", "ssd", new byte[16]);
        NodeAgents slow = slow(inner, inSweep, release);
        MutableClock clock = new MutableClock();
        ReplicaInventory inv = new ReplicaInventory(slow, clock);
        AtomicReference<ReplicaInventory.Snapshot> seen = new AtomicReference<>();
        Thread reconcile = new Thread(() -> seen.set(inv.current(() -> List.of("node-a"), Duration.ofSeconds(30))));
        reconcile.start();
        assertThat(inSweep.await(10, TimeUnit.SECONDS)).isTrue();

        Thread planner = new Thread(() -> inv.publish(ReplicaInventory.Snapshot.of(clock.now.plusSeconds(1),
                Map.of("node-a", List.of()), List.of())));
        planner.start();
        planner.join(5_000);
        assertThat(planner.isAlive()).as("publish returned while the sweep was still running").isFalse();

        release.countDown();
        reconcile.join(10_000);
        // The sweep started before the published snapshot was taken: the newer one stays and is what it returns.
        assertThat(seen.get().replicas("pv-1")).isEmpty();
        assertThat(inv.current(() -> List.of("node-a"), Duration.ofSeconds(30)).replicas("pv-1")).isEmpty();
        assertThat(inv.sweeps()).isEqualTo(1);
    }

    @Test
    void whileOneCallerSweepsTheOthersGetTheOlderSnapshotInsteadOfWaiting() throws Exception {
        CountDownLatch inSweep = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InMemoryNodeAgents inner = new InMemoryNodeAgents();
        inner.add("node-a", "z", Map.of("ssd", 1L << 30));
        inner.agent("node-a").putReplica("pv-1-0", "pv-1", "ssd", new byte[16]);
        NodeAgents slow = slow(inner, inSweep, release);
        MutableClock clock = new MutableClock();
        ReplicaInventory inv = new ReplicaInventory(slow, clock);
        ReplicaInventory.Snapshot stale = ReplicaInventory.Snapshot.of(clock.now.minusSeconds(60), Map.of(),
                List.of("node-a"));
        inv.publish(stale);
        AtomicReference<ReplicaInventory.Snapshot> swept = new AtomicReference<>();
        Thread sweeper = new Thread(() -> swept.set(inv.current(() -> List.of("node-a"), Duration.ofSeconds(30))));
        sweeper.start();
        assertThat(inSweep.await(10, TimeUnit.SECONDS)).isTrue();

        long t = System.nanoTime();
        assertThat(inv.current(() -> List.of("node-a"), Duration.ofSeconds(30))).isSameAs(stale);
        assertThat(System.nanoTime() - t).as("did not wait for the sweep").isLessThan(TimeUnit.SECONDS.toNanos(5));

        release.countDown();
        sweeper.join(10_000);
        assertThat(swept.get().replicas("pv-1")).hasSize(1);
        assertThat(inv.current(() -> List.of("node-a"), Duration.ofSeconds(30))).isSameAs(swept.get());
        assertThat(inv.sweeps()).isEqualTo(1);
    }
}
