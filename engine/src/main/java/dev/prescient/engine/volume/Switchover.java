package dev.prescient.engine.volume;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.store.AtomicBitmap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Live switchover of a volume to a new replica set while the workload runs: add the new replicas
 * (WO), pre-copy in rounds, and once a round leaves nothing dirty promote them to RW with I/O
 * flowing ({@link DeltaSync#finishWithoutPause}); only if they do not converge: pause I/O, copy
 * the last dirty blocks, verify them, promote, resume. Then fsync the new replicas and drop the
 * old ones (the swap). Until the
 * drop, the old replicas stay RW and complete; any failure before it removes the new replicas
 * again and leaves the volume as it was. The pause holds no fsync: copy rounds apply blocks
 * without syncing and a single flush follows with I/O running. The rounds go on below the final
 * threshold while they converge ({@link DeltaSync#anotherRound}), so the paused round usually
 * copies nothing; it allocates nothing either (buffers come from the rounds).
 */
public final class Switchover {
    private final ReplicaSet set;
    private final DeltaSync sync;

    public Switchover(ReplicaSet set) {
        this.set = set;
        this.sync = new DeltaSync(set);
    }

    /** A new replica to switch to. */
    public record Target(String id, BlockTarget target, boolean local) {
    }

    /**
     * What happened: pause is the time I/O was held, from pause() to resume(); phases splits it;
     * pauseStartNanos is System.nanoTime() when the pause began (to correlate with GC logs).
     */
    public record Report(int rounds, long bytesSent, long finalBlocks, long pauseNanos, PausePhases phases,
                         long pauseStartNanos) {
    }

    /**
     * @param add     the new replicas (sync)
     * @param dropIds replicas to remove at the swap (e.g. the source of a migration)
     */
    public Report run(List<Target> add, Set<String> dropIds, int maxRounds, long finalThreshold) throws IOException {
        List<Member> added = new ArrayList<>();
        try {
            for (Target t : add) {
                added.add(set.addNew(t.id(), t.target(), t.local(), true, 0));
            }
            long sent = 0;
            int rounds = 0;
            long lastBatch = Long.MAX_VALUE;
            while (DeltaSync.anotherRound(maxDirty(added), lastBatch, rounds, maxRounds, finalThreshold)) {
                rounds++;
                lastBatch = 0;
                for (Member m : added) {
                    AtomicBitmap batch = m.dirty.drain();
                    lastBatch = Math.max(lastBatch, batch.cardinality());
                    set.gate().enter();
                    try {
                        sent += sync.copy(batch, m);
                    } catch (IOException | RuntimeException e) {
                        m.dirty.or(batch);
                        throw e;
                    } finally {
                        set.gate().exit();
                    }
                }
            }
            if (sync.finishWithoutPause(added)) {
                for (Member m : added) {
                    m.target.flush();
                }
                return swap(added, dropIds, new Report(rounds, sent, 0, 0, PausePhases.NONE, System.nanoTime()));
            }
            sync.prepareBuffers();
            PausePhases.Clock clock = new PausePhases.Clock();
            try {
                set.gate().pause(10, TimeUnit.SECONDS);
            } catch (TimeoutException | InterruptedException e) {
                throw new IOException("could not pause I/O of volume " + set.volumeId(), e);
            }
            clock.lap(); // drain
            long finalBlocks = 0;
            long pause;
            try {
                List<DeltaSync.Copied> last = new ArrayList<>(added.size());
                for (Member m : added) {
                    AtomicBitmap d = m.dirty.drain();
                    finalBlocks += d.cardinality();
                    DeltaSync.Copied c = sync.copyPaused(d, m);
                    last.add(c);
                    sent += c.bytesSent;
                }
                clock.lap(); // final copy
                for (int i = 0; i < added.size(); i++) {
                    sync.verify(last.get(i), added.get(i));
                }
                clock.lap(); // verify
                // Promotion: from here writes are acknowledged only when the new replicas have them.
                for (Member m : added) {
                    m.mode = ReplicaMode.RW;
                }
                clock.lap(); // promote
            } catch (IOException | RuntimeException e) {
                for (Member m : added) {
                    m.mode = ReplicaMode.ERR; // out of the write path before I/O resumes
                }
                throw e;
            } finally {
                set.gate().resume();
                clock.lap(); // resume
                pause = System.nanoTime() - clock.start();
            }
            // The fsync of the copied data runs with I/O flowing: old and new replicas are both
            // RW meanwhile, so the old set stays a complete, durable copy until this succeeds.
            for (Member m : added) {
                m.target.flush();
            }
            return swap(added, dropIds, new Report(rounds + 1, sent, finalBlocks, pause, clock.phases(), clock.start()));
        } finally {
            for (Member m : added) { // rollback: the old set never stopped being authoritative
                set.remove(m.id);
            }
        }
    }

    /**
     * The swap: dropped replicas leave the set (no pause needed to stop writing to them), but only
     * while every new replica is still RW: one that failed a write since its promotion misses it.
     */
    private Report swap(List<Member> added, Set<String> dropIds, Report report) throws IOException {
        for (Member m : added) {
            if (m.mode != ReplicaMode.RW) {
                throw new IOException("new replica " + m.id + " is " + m.mode + " (" + m.lastError
                        + "); the old replicas stay");
            }
        }
        for (String id : dropIds) {
            set.remove(id);
        }
        set.quiesce(); // no request in flight still uses a dropped replica: the caller may close it
        added.clear(); // committed: nothing to roll back
        return report;
    }

    private static long maxDirty(List<Member> ms) {
        long max = 0;
        for (Member m : ms) {
            max = Math.max(max, m.dirty.cardinality());
        }
        return max;
    }
}
