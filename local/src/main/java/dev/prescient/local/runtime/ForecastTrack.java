package dev.prescient.local.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One volume's operator forecasts against what happened, per metric: each forecast the operator published
 * (placed at the time it is for, computedAt + horizon, in scenario seconds) and the measured value of the same
 * quantity over time, so a forecast can be scored once its time has come. Thread-safe: the runner adds, the live
 * view reads.
 */
public final class ForecastTrack {
    /** Forecasts and measurements kept per metric (a few scenario days at one poll a second). */
    static final int KEEP = 1200;

    /**
     * One published forecast. {@code computedAtMillis} is the operator's own timestamp (epoch ms), which identifies
     * it across polls; {@code computedAt} and {@code target} are scenario seconds. Bounds are null until the
     * operator's interval is calibrated.
     */
    public record Point(long computedAtMillis, double computedAt, double target, double value, Double lower,
            Double upper, Double confidence) {
        public boolean hasInterval() {
            return lower != null && upper != null;
        }
    }

    /** A measurement of the forecast quantity at scenario time {@code t}. */
    public record Sample(double t, double value) {
    }

    /**
     * How the forecasts whose time has come did: how many, how many had an interval and how many of those held
     * the actual value, the mean absolute error, and the same error for "the value one day earlier" (seasonal
     * naive) at the points where a day of measurements exists ({@code baselineResolved}).
     */
    public record Score(int resolved, int withInterval, int inside, double meanAbsError, int baselineResolved,
            double baselineMeanAbsError, double operatorErrorOnBaselinePoints) {
    }

    /** One metric's forecasts (by time they are for) and measurements (by time taken). */
    public static final class Series {
        String horizon = "";
        final List<Point> forecasts = new ArrayList<>();
        final List<Sample> actual = new ArrayList<>();
    }

    private final Map<String, Series> series = new LinkedHashMap<>();

    /**
     * Adds a forecast unless the same one (metric and operator timestamp: one forecast per metric per planner pass)
     * was added before: the operator's status keeps a forecast until its next pass, so successive polls see it
     * again.
     */
    public synchronized boolean addForecast(String metric, String horizon, Point p) {
        Series s = series.computeIfAbsent(metric, k -> new Series());
        for (int i = s.forecasts.size() - 1; i >= 0; i--) {
            Point q = s.forecasts.get(i);
            if (q.computedAtMillis() == p.computedAtMillis()) {
                return false;
            }
            if (q.computedAtMillis() < p.computedAtMillis()) {
                break;
            }
        }
        s.horizon = horizon;
        // Kept in operator-timestamp order; a late-seen older forecast goes where it belongs.
        int at = s.forecasts.size();
        while (at > 0 && s.forecasts.get(at - 1).computedAtMillis() > p.computedAtMillis()) {
            at--;
        }
        s.forecasts.add(at, p);
        trim(s.forecasts);
        return true;
    }

    /** Adds a measurement; one not later than the last is dropped (the series is a function of time). */
    public synchronized void addActual(String metric, double t, double value) {
        Series s = series.computeIfAbsent(metric, k -> new Series());
        if (!s.actual.isEmpty() && s.actual.get(s.actual.size() - 1).t() >= t) {
            return;
        }
        s.actual.add(new Sample(t, value));
        trim(s.actual);
    }

    public synchronized List<String> metrics() {
        return List.copyOf(series.keySet());
    }

    /** The horizon of the metric's latest forecast as the operator wrote it (e.g. "8s"), or "" before one. */
    public synchronized String horizon(String metric) {
        Series s = series.get(metric);
        return s == null ? "" : s.horizon;
    }

    public synchronized List<Point> forecasts(String metric) {
        Series s = series.get(metric);
        return s == null ? List.of() : List.copyOf(s.forecasts);
    }

    public synchronized List<Sample> actual(String metric) {
        Series s = series.get(metric);
        return s == null ? List.of() : List.copyOf(s.actual);
    }

    /** The latest forecast of the metric, or null. */
    public synchronized Point latest(String metric) {
        Series s = series.get(metric);
        return s == null || s.forecasts.isEmpty() ? null : s.forecasts.get(s.forecasts.size() - 1);
    }

    /** The measured value at {@code t}, linear between the samples around it; NaN outside the measured span. */
    public synchronized double actualAt(String metric, double t) {
        Series s = series.get(metric);
        return s == null ? Double.NaN : interpolate(s.actual, t);
    }

    static double interpolate(List<Sample> xs, double t) {
        if (xs.isEmpty() || t < xs.get(0).t() || t > xs.get(xs.size() - 1).t()) {
            return Double.NaN;
        }
        int lo = 0;
        int hi = xs.size() - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (xs.get(mid).t() <= t) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Sample a = xs.get(lo);
        Sample b = xs.get(hi);
        if (b.t() == a.t()) {
            return a.value();
        }
        return a.value() + (b.value() - a.value()) * (t - a.t()) / (b.t() - a.t());
    }

    /**
     * Scores the metric's forecasts whose time lies inside the measured span; the baseline is the measurement
     * {@code dayLengthSeconds} before the forecast's time (0 or less: no baseline).
     */
    public synchronized Score score(String metric, double dayLengthSeconds) {
        Series s = series.get(metric);
        if (s == null) {
            return new Score(0, 0, 0, Double.NaN, 0, Double.NaN, Double.NaN);
        }
        int resolved = 0;
        int withInterval = 0;
        int inside = 0;
        double err = 0;
        int base = 0;
        double baseErr = 0;
        double opErrOnBase = 0;
        for (Point p : s.forecasts) {
            double a = interpolate(s.actual, p.target());
            if (Double.isNaN(a)) {
                continue;
            }
            resolved++;
            err += Math.abs(p.value() - a);
            if (p.hasInterval()) {
                withInterval++;
                if (a >= p.lower() && a <= p.upper()) {
                    inside++;
                }
            }
            double y = dayLengthSeconds > 0 ? interpolate(s.actual, p.target() - dayLengthSeconds) : Double.NaN;
            if (!Double.isNaN(y)) {
                base++;
                baseErr += Math.abs(y - a);
                opErrOnBase += Math.abs(p.value() - a);
            }
        }
        return new Score(resolved, withInterval, inside, resolved == 0 ? Double.NaN : err / resolved, base,
                base == 0 ? Double.NaN : baseErr / base, base == 0 ? Double.NaN : opErrOnBase / base);
    }

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    /**
     * A horizon as the operator writes it ("8s", "1m", "1h30m", "250ms"; also ISO-8601 "PT8S"). Bad input is an
     * IllegalArgumentException that names it.
     */
    public static Duration parseHorizon(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("forecast horizon missing");
        }
        String t = text.strip();
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                return Duration.parse(t);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("forecast horizon '" + text + "' is not a duration", e);
            }
        }
        Matcher m = DURATION_PART.matcher(t);
        double millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            double n = Double.parseDouble(m.group(1));
            millis += n * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            end = m.end();
        }
        if (end == 0 || end != t.length()) {
            throw new IllegalArgumentException("forecast horizon '" + text
                    + "' is not a duration like 8s, 1m, 1h30m or PT8S");
        }
        return Duration.ofMillis(Math.round(millis));
    }

    private static <T> void trim(List<T> l) {
        if (l.size() > KEEP) {
            l.subList(0, l.size() - KEEP).clear();
        }
    }
}
