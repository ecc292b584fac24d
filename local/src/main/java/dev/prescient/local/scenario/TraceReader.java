package dev.prescient.local.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Streams block requests out of the trace formats in ../shared/data: ARC .lis ({@code start count ignore id},
 * 512-byte pages, reads only), MSR Cambridge CSV ({@code time,host,disk,Read|Write,offset,size,response}), Tencent
 * CBS CSV ({@code ts,offset_sectors,size_sectors,0=read|1=write,volume}) and SYSTOR'17 CSV
 * ({@code ts,response,R|W,lun,offset,size}, with a header). Loops to the start at the end of the file.
 */
public final class TraceReader implements AutoCloseable {
    /** One request: byte offset and length, read or write. */
    public record Request(long offset, long length, boolean write) {
    }

    /** The trace line could not be read in the named format. */
    public static final class TraceFormatException extends IOException {
        public TraceFormatException(String message) {
            super(message);
        }
    }

    public enum Format { ARC, MSR, TENCENT, SYSTOR }

    private final Path file;
    private final Format format;
    private BufferedReader in;
    private long line;
    private long served;

    public TraceReader(Path file, Format format) throws IOException {
        this.file = file;
        this.format = format;
        this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    public static Format format(String name) {
        return Format.valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** The next request; wraps around at the end of the file. */
    public Request next() throws IOException {
        for (int wraps = 0; wraps < 2; ) {
            String s = in.readLine();
            if (s == null) {
                in.close();
                in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                line = 0;
                wraps++;
                continue;
            }
            line++;
            Optional<Request> r = parse(format, s.strip());
            if (r.isPresent()) {
                served++;
                return r.get();
            }
        }
        throw new TraceFormatException("no " + format + " request in " + file);
    }

    /** Parses one line; empty for headers, blank lines and comments. */
    public static Optional<Request> parse(Format format, String s) throws TraceFormatException {
        if (s.isEmpty() || s.startsWith("#") || Character.isLetter(s.charAt(0))) {
            return Optional.empty();
        }
        try {
            switch (format) {
                case ARC -> {
                    String[] f = s.split("\\s+");
                    return Optional.of(new Request(Long.parseLong(f[0]) * 512, Long.parseLong(f[1]) * 512, false));
                }
                case MSR -> {
                    String[] f = s.split(",");
                    return Optional.of(new Request(Long.parseLong(f[4]), Long.parseLong(f[5]),
                            f[3].equalsIgnoreCase("Write")));
                }
                case TENCENT -> {
                    String[] f = s.split(",");
                    return Optional.of(new Request(Long.parseLong(f[1]) * 512, Long.parseLong(f[2]) * 512,
                            f[3].equals("1")));
                }
                case SYSTOR -> {
                    String[] f = s.split(",");
                    return Optional.of(new Request(Long.parseLong(f[4]), Long.parseLong(f[5]),
                            f[2].equalsIgnoreCase("W")));
                }
                default -> throw new TraceFormatException("unknown format " + format);
            }
        } catch (RuntimeException e) {
            throw new TraceFormatException("not a " + format + " line: " + s);
        }
    }

    public long served() {
        return served;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
