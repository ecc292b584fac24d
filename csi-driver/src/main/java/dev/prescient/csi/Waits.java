package dev.prescient.csi;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Deadline polls that an interrupt ends. A poll that swallowed the interrupt (restoring the flag
 * and sleeping on) would spin until its deadline, since every later sleep returns at once.
 */
public final class Waits {
    private Waits() {
    }

    /** A condition that may do I/O; it may also throw to end the wait early (the cause then reaches the caller). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws IOException;
    }

    /**
     * Polls {@code condition} every {@code pollMillis} until it holds (true) or {@code timeoutMillis}
     * have passed (false).
     *
     * @throws InterruptedIOException when the thread is interrupted; its interrupt flag stays set
     */
    public static boolean until(long timeoutMillis, long pollMillis, Condition condition) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            if (condition.holds()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleep(pollMillis);
        }
    }

    /** Thread.sleep for code that reports failures as IOException: an interrupt ends the wait and is kept. */
    public static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException x = new InterruptedIOException("interrupted while waiting");
            x.initCause(e);
            throw x;
        }
    }
}
