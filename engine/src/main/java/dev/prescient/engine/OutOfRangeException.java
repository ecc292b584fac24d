package dev.prescient.engine;

import java.io.IOException;

/** A request outside the target: mapped to EINVAL by the frontend; nothing was read or written. */
public class OutOfRangeException extends IOException {
    public OutOfRangeException(long offset, long length, long size) {
        super("range " + offset + "+" + length + " outside size " + size);
    }
}
