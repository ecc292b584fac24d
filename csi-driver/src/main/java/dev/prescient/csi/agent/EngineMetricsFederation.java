package dev.prescient.csi.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's /metrics carries its engines' metrics too: engines listen on loopback on ports kept in their
 * records, which a PodMonitor could not discover, so the agent scrapes each at its own scrape and merges the texts.
 * Every engine series gains an {@code engine="<replica id>"} label: a front-end and a replica of the same volume on
 * one node export the same {@code volume} labels. An engine that does not answer within the timeout is left out of
 * that scrape and counted.
 */
public final class EngineMetricsFederation {

    private static final Logger LOG = LoggerFactory.getLogger(EngineMetricsFederation.class);
    static final int TIMEOUT_MS = 1_000;

    private final EngineExports exports;
    private final AtomicLong failures = new AtomicLong();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(TIMEOUT_MS))
            .executor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "engine-metrics-scrape");
                t.setDaemon(true);
                return t;
            })).build();

    public EngineMetricsFederation(EngineExports exports) {
        this.exports = exports;
    }

    /** Scrapes that an engine did not answer, since the agent started. */
    public long failures() {
        return failures.get();
    }

    /**
     * The merged text of every engine with a metrics port, "" when none. The engines are asked at once, each within
     * {@link #TIMEOUT_MS}: sixty engines cost one timeout, not sixty.
     */
    public String scrape() {
        List<String> ids;
        try {
            ids = exports.state().ids(r -> r.metricsPort() != null);
        } catch (IOException e) {
            LOG.warn("engine metrics: node state unreadable, engines left out of this scrape: {}", e.toString());
            return "";
        }
        Map<String, CompletableFuture<HttpResponse<String>>> asked = new LinkedHashMap<>();
        for (String id : ids) {
            try {
                exports.metricsEndpoint(id).ifPresent(endpoint -> asked.put(id, http.sendAsync(
                        HttpRequest.newBuilder(uri(endpoint)).timeout(Duration.ofMillis(TIMEOUT_MS)).build(),
                        HttpResponse.BodyHandlers.ofString())));
            } catch (IOException | IllegalArgumentException e) {
                failures.incrementAndGet();
                LOG.debug("engine metrics of {} not scraped: {}", id, e.toString());
            }
        }
        Map<String, String> texts = new LinkedHashMap<>();
        asked.forEach((id, response) -> {
            try {
                HttpResponse<String> r = response.get(2L * TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (r.statusCode() == 200) {
                    texts.put(id, r.body());
                    return;
                }
                LOG.debug("engine metrics of {} not scraped: HTTP {}", id, r.statusCode());
            } catch (ExecutionException | TimeoutException e) {
                // An engine being restarted or retired: not an error of the agent's endpoint.
                response.cancel(true);
                LOG.debug("engine metrics of {} not scraped: {}", id, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            failures.incrementAndGet();
        });
        return merge(texts);
    }

    static URI uri(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        // An engine bound to every address is reached on loopback (the agent shares the node's network).
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return URI.create("http://" + host + ":" + hostPort.substring(colon + 1) + "/metrics");
    }

    private static final class Family {
        final List<String> header = new ArrayList<>();
        final List<String> samples = new ArrayList<>();
    }

    /**
     * Merges Prometheus texts (engine id -> text): one HELP/TYPE per family, each family's samples together (the
     * text format requires both), each sample labelled with its engine.
     */
    static String merge(Map<String, String> texts) {
        Map<String, Family> families = new LinkedHashMap<>();
        texts.forEach((engine, text) -> {
            Family current = null;
            for (String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                    String name = line.substring(7).split(" ", 2)[0];
                    Family f = families.computeIfAbsent(name, n -> new Family());
                    if (f.header.size() < 2 && f.header.stream().noneMatch(h -> h.startsWith(line.substring(0, 7)))) {
                        f.header.add(line);
                    }
                    current = f;
                } else if (!line.startsWith("#")) {
                    if (current == null) {
                        current = families.computeIfAbsent("", n -> new Family());
                    }
                    current.samples.add(withLabel(line, "engine", engine));
                }
            }
        });
        StringBuilder out = new StringBuilder();
        families.values().forEach(f -> {
            f.header.forEach(h -> out.append(h).append('\n'));
            f.samples.forEach(s -> out.append(s).append('\n'));
        });
        return out.toString();
    }

    /** {@code name{a="b"} v} -> {@code name{a="b",key="value"} v}; {@code name v} -> {@code name{key="value"} v}. */
    static String withLabel(String sample, String key, String value) {
        String label = key + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
        int brace = sample.indexOf('{');
        int space = sample.indexOf(' ');
        if (brace >= 0 && (space < 0 || brace < space)) {
            int close = sample.lastIndexOf('}');
            String inside = sample.substring(brace + 1, close);
            return sample.substring(0, brace + 1) + (inside.isEmpty() ? label : inside + "," + label)
                    + sample.substring(close);
        }
        return space < 0 ? sample : sample.substring(0, space) + "{" + label + "}" + sample.substring(space);
    }
}
