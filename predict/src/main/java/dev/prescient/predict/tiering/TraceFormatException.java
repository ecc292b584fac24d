package dev.prescient.predict.tiering;

import java.io.IOException;

/** A trace line that does not parse, with file and line. */
public final class TraceFormatException extends IOException {
    public TraceFormatException(String file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
    }
}
