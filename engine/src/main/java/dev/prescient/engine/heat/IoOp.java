package dev.prescient.engine.heat;

/** The kinds of I/O that telemetry distinguishes. */
public enum IoOp {
    READ, WRITE, TRIM, WRITE_ZEROES, FLUSH
}
