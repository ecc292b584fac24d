package dev.prescient.engine;

import java.io.IOException;

/** The tier's file system is full: reported to NBD clients as ENOSPC, never as data loss. */
public class NoSpaceException extends IOException {
    public NoSpaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
