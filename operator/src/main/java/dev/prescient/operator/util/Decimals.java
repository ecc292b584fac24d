package dev.prescient.operator.util;

/**
 * Two-decimal numbers appended to a text without {@link String#format}: the planner writes one such note per volume
 * per pass, and at 10,000 volumes the formatter was a fifth of the pass's CPU and most of its garbage (issue 19's
 * profile). Same text as {@code %.2f} in Locale.ROOT, rounding half up, for the finite numbers the notes hold.
 */
public final class Decimals {

    private Decimals() {
    }

    public static StringBuilder two(StringBuilder out, double x) {
        if (!Double.isFinite(x) || Math.abs(x) >= 1e15) {
            return out.append(String.format(java.util.Locale.ROOT, "%.2f", x));
        }
        long hundredths = Math.round(Math.abs(x) * 100);
        if (x < 0 || Double.doubleToRawLongBits(x) == Long.MIN_VALUE) { // a minus sign as %.2f writes it, -0.00 too
            out.append('-');
        }
        out.append(hundredths / 100).append('.');
        long cents = hundredths % 100;
        if (cents < 10) {
            out.append('0');
        }
        return out.append(cents);
    }
}
