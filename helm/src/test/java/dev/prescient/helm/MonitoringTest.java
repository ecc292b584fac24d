package dev.prescient.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prescient.api.testing.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's alerts and dashboard read only series that some process exports. A rule on a series nobody exports
 * never fires and nobody notices (two did: per-volume replica gauges and an engine pause histogram the chart does not
 * scrape). Exported names are read from the registrations in main sources: the engine's and the agent's registry
 * take Prometheus names, the operator's Micrometer names take dots, a base unit and a type suffix.
 */
class MonitoringTest {

    static final Pattern SERIES = Pattern.compile("\\bprescient_[a-z0-9_]+");
    static final Pattern REGISTERED = Pattern.compile("\"(prescient[._][a-z0-9._]+)\"");
    static final Pattern SUFFIX = Pattern.compile("(_(seconds|milliseconds|bytes))?(_(total|bucket|count|sum|max))?");

    static Set<String> registeredNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String module : List.of("engine", "csi-driver", "operator")) {
            try (Stream<Path> files = Files.walk(RepoFiles.root().resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = REGISTERED.matcher(Files.readString(f));
                    while (m.find()) {
                        names.add(m.group(1).replace('.', '_'));
                    }
                }
            }
        }
        return names;
    }

    static boolean exported(String series, Set<String> registered) {
        return registered.stream().anyMatch(base -> series.startsWith(base)
                && SUFFIX.matcher(series.substring(base.length())).matches());
    }

    static List<String> seriesIn(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = SERIES.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    @Test
    void everyAlertAndDashboardPanelReadsAnExportedSeries() throws Exception {
        List<JsonNode> docs = ChartTest.render(Map.of("metrics.prometheusRule.enabled", true,
                "metrics.grafanaDashboard.enabled", true));
        JsonNode rules = ChartTest.one(docs, "PrometheusRule", "prescient");
        List<String> exprs = new ArrayList<>();
        rules.at("/spec/groups").forEach(g -> g.path("rules").forEach(r -> exprs.add(r.path("expr").asText())));
        JsonNode dashboard = new ObjectMapper().readTree(
                ChartTest.one(docs, "ConfigMap", "prescient-dashboard").at("/data/prescient.json").asText());
        assertThat(dashboard.path("uid").asText()).isEqualTo("prescient-overview");
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
        assertThat(exprs).as("alerts and panels").hasSizeGreaterThan(10);

        Set<String> registered = registeredNames();
        assertThat(registered).as("registrations found in main sources")
                .contains("prescient_engine_requests", "prescient_agent_rpcs", "prescient_migrations");
        for (String expr : exprs) {
            List<String> series = seriesIn(expr);
            assertThat(series).as("a Prescient series in %s", expr).isNotEmpty();
            for (String s : series) {
                assertThat(exported(s, registered)).as("%s (in %s) is exported by a Prescient process", s, expr).isTrue();
            }
        }
    }

    @Test
    void theNameCheckRefusesWhatNothingExports() throws Exception {
        Set<String> registered = registeredNames();
        assertThat(exported("prescient_migration_pause_milliseconds_max", registered)).isTrue();
        assertThat(exported("prescient_engine_request_seconds_bucket", registered)).isTrue();
        // The two the chart used to alert on.
        assertThat(exported("prescient_volume_replicas_healthy", registered)).isFalse();
        assertThat(exported("prescient_switchover_pause_seconds_bucket", registered)).isFalse();
    }

    @Test
    void theDashboardIsOffByDefault() throws Exception {
        assertThat(ChartTest.render(Map.of())).noneMatch(d -> d.at("/metadata/name").asText().equals("prescient-dashboard"));
    }
}
