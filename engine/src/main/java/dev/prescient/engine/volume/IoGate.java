package dev.prescient.engine.volume;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits I/O and can pause it: {@link #pause} stops new requests and waits until every request
 * already admitted has finished, so the caller sees a quiet volume. Fast path is one atomic
 * increment and a volatile read.
 */
public final class IoGate {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object lock = new Object();
    private volatile boolean paused;

    public void enter() {
        while (true) {
            if (paused) {
                synchronized (lock) {
                    while (paused) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("interrupted waiting for the I/O gate", e);
                        }
                    }
                }
            }
            inFlight.incrementAndGet();
            if (!paused) {
                return;
            }
            exit(); // a pause began between the check and the increment: back off and wait
        }
    }

    public void exit() {
        if (inFlight.decrementAndGet() == 0 && paused) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Stops admitting I/O and waits for in-flight I/O to drain; resume() in a finally block. */
    public void pause(long timeout, TimeUnit unit) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            if (paused) {
                throw new IllegalStateException("gate already paused");
            }
            paused = true;
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    paused = false;
                    lock.notifyAll();
                    throw new TimeoutException("in-flight I/O did not drain");
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    public void resume() {
        synchronized (lock) {
            paused = false;
            lock.notifyAll();
        }
    }

    public boolean isPaused() {
        return paused;
    }
}
