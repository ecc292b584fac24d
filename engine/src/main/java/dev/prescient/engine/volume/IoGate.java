package dev.prescient.engine.volume;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Admits I/O and can pause it: {@link #pause} stops new requests and waits until every request
 * already admitted has finished, so the caller sees a quiet volume. Fast path is one atomic
 * increment and a volatile read.
 *
 * <p>No monitor is shared between the pausing thread and the I/O threads: waiting requests park
 * on a queue and the pauser parks until the last request in flight unparks it. With a shared
 * monitor, an I/O thread preempted while it held it (to wait, or to notify) held up the pause
 * and its resume for a whole scheduling period on a loaded machine.
 */
public final class IoGate {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean pausing = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
    private volatile boolean paused;
    private volatile Thread pauser;

    public void enter() {
        while (true) {
            if (paused) {
                awaitResume();
            }
            inFlight.incrementAndGet();
            if (!paused) {
                return;
            }
            exit(); // a pause began between the check and the increment: back off and wait
        }
    }

    private void awaitResume() {
        Thread me = Thread.currentThread();
        waiters.add(me); // before the check below: resume() clears paused, then unparks the queue
        try {
            while (paused) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    me.interrupt();
                    throw new IllegalStateException("interrupted waiting for the I/O gate");
                }
            }
        } finally {
            waiters.remove(me);
        }
        // Wake the other waiters too: if resume() was preempted by the first thread it woke, the
        // rest would otherwise wait until the pauser gets a CPU again.
        for (Thread t : waiters) {
            LockSupport.unpark(t);
        }
    }

    public void exit() {
        if (inFlight.decrementAndGet() == 0 && paused) {
            Thread p = pauser;
            if (p != null) {
                LockSupport.unpark(p);
            }
        }
    }

    /** Stops admitting I/O and waits for in-flight I/O to drain; resume() in a finally block. */
    public void pause(long timeout, TimeUnit unit) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!pausing.compareAndSet(false, true)) {
            throw new IllegalStateException("gate already paused");
        }
        pauser = Thread.currentThread(); // before paused: the last exit() must find whom to wake
        paused = true;
        while (inFlight.get() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.interrupted()) {
                boolean interrupted = left > 0;
                resume();
                if (interrupted) {
                    throw new InterruptedException("interrupted draining the I/O gate");
                }
                throw new TimeoutException("in-flight I/O did not drain");
            }
            LockSupport.parkNanos(this, left);
        }
    }

    public void resume() {
        paused = false;
        pauser = null;
        for (Thread t : waiters) {
            LockSupport.unpark(t);
        }
        pausing.set(false);
    }

    public boolean isPaused() {
        return paused;
    }
}
