package dev.prescient.operator.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes what each planner pass decided from (policy, settings, day length and the cluster view), one JSON line per
 * pass, so that a run (local mode's scenarios) can be replayed through {@link PlacementPlanner} offline in a test.
 * Off unless prescient.planner.record names a file. A write that fails is logged and recording stops.
 */
public final class PassRecorder {

    private static final Logger LOG = Logger.getLogger(PassRecorder.class);

    /** One pass's inputs. */
    public record Pass(String policy, Duration day, PlannerSettings settings, ClusterView view) {
    }

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;
    private volatile boolean failed;

    public PassRecorder(Path file) {
        this.file = file;
    }

    public synchronized void record(Pass pass) {
        if (failed) {
            return;
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(JSON.writeValueAsString(pass));
            w.write('\n');
        } catch (IOException | RuntimeException e) {
            failed = true;
            LOG.warnf("planner pass recording to %s stopped: %s", file, e.toString());
        }
    }

    public static List<Pass> read(BufferedReader in) throws IOException {
        List<Pass> out = new ArrayList<>();
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.isBlank()) {
                out.add(JSON.readValue(line, Pass.class));
            }
        }
        return out;
    }
}
