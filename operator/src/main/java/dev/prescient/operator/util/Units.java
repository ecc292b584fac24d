package dev.prescient.operator.util;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the Kubernetes-style quantities and Go-style durations the custom resources use. */
public final class Units {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern QUANTITY = Pattern.compile("^(\\d+(?:\\.\\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$");

    private Units() {
    }

    /** "90s", "10m", "1h30m", "168h", "7d". Null or blank gives the fallback. */
    public static Duration duration(String text, Duration fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        Matcher m = DURATION_PART.matcher(text.trim());
        long millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new IllegalArgumentException("not a duration: " + text);
            }
            double v = Double.parseDouble(m.group(1));
            millis += (long) (v * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            });
            end = m.end();
        }
        if (end != text.trim().length() || end == 0) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        return Duration.ofMillis(millis);
    }

    /** "200Mi", "1G", "4096". Null or blank gives the fallback. */
    public static long bytes(String text, long fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        Matcher m = QUANTITY.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a quantity: " + text);
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        double mult = switch (unit) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "Pi" -> 1L << 50;
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            case "P" -> 1e15;
            default -> 1;
        };
        return (long) (v * mult);
    }

    /** Bytes as a binary quantity for status, e.g. 3.5Gi. */
    public static String human(long bytes) {
        String[] units = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
        double v = bytes;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return v == Math.rint(v) ? String.format("%d%s", (long) v, units[i])
                : String.format(java.util.Locale.ROOT, "%.1f%s", v, units[i]);
    }

    /** A duration in the API's form (e.g. 1h30m, 45s, 250ms); the inverse of {@link #duration}. */
    public static String durationString(Duration d) {
        long ms = d.toMillis();
        if (ms <= 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        long s = ms / 1000 % 60;
        long rest = ms % 1000;
        if (h > 0) {
            b.append(h).append('h');
        }
        if (m > 0) {
            b.append(m).append('m');
        }
        if (s > 0) {
            b.append(s).append('s');
        }
        if (rest > 0) {
            b.append(rest).append("ms");
        }
        return b.toString();
    }
}
