package dev.prescient.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread pools of the engine's servers (NBD, replication, control). Every thread is named
 * after its pool and a number, so a thread dump or a profile says which server it serves, and
 * every pool is bounded: a flood of connections gets refusals (the caller closes the socket),
 * never an unbounded number of threads. Idle threads go away after a while, so an engine that
 * served a burst does not keep its stacks. Java 17 has no virtual threads; these are platform
 * threads, which is why the bound matters.
 */
public final class ServerThreads {
    private static final long IDLE_SECONDS = 30;

    private ServerThreads() {
    }

    /**
     * One thread per task up to {@code max} at once; a task submitted beyond that is refused with
     * {@link java.util.concurrent.RejectedExecutionException} (nothing queues behind a busy pool).
     */
    public static ThreadPoolExecutor perTask(String name, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("pool " + name + " needs at least one thread: " + max);
        }
        return new ThreadPoolExecutor(0, max, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), factory(name));
    }

    /**
     * Up to {@code max} threads; a task submitted while all are busy runs on the submitting thread
     * instead (the work gets done, only less in parallel: nothing queues and nothing is refused
     * while the pool is open). After shutdown a task is refused with
     * {@link java.util.concurrent.RejectedExecutionException}, so nobody waits for work that never runs.
     */
    public static ThreadPoolExecutor callerRunsBeyond(String name, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("pool " + name + " needs at least one thread: " + max);
        }
        return new ThreadPoolExecutor(0, max, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), factory(name),
                (task, pool) -> {
                    if (pool.isShutdown()) {
                        throw new RejectedExecutionException("pool " + name + " is shut down");
                    }
                    task.run();
                });
    }

    /** {@code n} threads taking tasks from a queue in order (the queue is bounded by the callers). */
    public static ExecutorService fixed(String name, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("pool " + name + " needs at least one thread: " + n);
        }
        ThreadPoolExecutor e = new ThreadPoolExecutor(n, n, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                factory(name));
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    /** Daemon threads named {@code name-1}, {@code name-2}, ...: a server never keeps the JVM alive. */
    public static ThreadFactory factory(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
