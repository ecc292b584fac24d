package dev.prescient.engine.heat;

/** Told about every I/O a frontend served; must be cheap and must not block. */
@FunctionalInterface
public interface IoListener {
    IoListener NONE = (consumer, op, offset, length, nanos, errno) -> { };

    /**
     * @param consumer the identity attached to the export (pod, application), or null
     * @param errno    0 on success, else the NBD error sent
     */
    void onIo(String consumer, IoOp op, long offset, long length, long nanos, int errno);
}
