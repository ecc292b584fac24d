package dev.prescient.csi.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prescient.api.nodeagent.v1.DeviceHealth;
import dev.prescient.api.nodeagent.v1.SmartAttribute;
import dev.prescient.csi.Exec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SMART health via {@code smartctl --json}; empty where the tool or SMART devices are missing (VMs). */
public final class SmartProbe {
    private static final Logger LOG = LoggerFactory.getLogger(SmartProbe.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SmartProbe() {
    }

    private static final long CACHE_MILLIS = 60_000;
    private static volatile List<DeviceHealth> cached;
    private static volatile long cachedAt;

    /**
     * SMART changes slowly and smartctl wakes disks: the controller asks for node health on every
     * placement, so results are reused for a minute.
     */
    public static List<DeviceHealth> probe() {
        long now = System.currentTimeMillis();
        List<DeviceHealth> c = cached;
        if (c != null && now - cachedAt < CACHE_MILLIS) {
            return c;
        }
        cached = probeNow();
        cachedAt = now;
        return cached;
    }

    static List<DeviceHealth> probeNow() {
        List<DeviceHealth> out = new ArrayList<>();
        if (!Exec.onPath("smartctl")) {
            return out;
        }
        try {
            JsonNode scan = JSON.readTree(Exec.run(List.of("smartctl", "--json", "--scan"), 30).stdout());
            for (JsonNode d : scan.path("devices")) {
                String name = d.path("name").asText();
                // smartctl's exit status is a bit mask of findings; the JSON is printed regardless.
                String json = Exec.run(List.of("smartctl", "--json", "-a", name), 30).stdout();
                if (!json.isBlank()) {
                    parse(name, JSON.readTree(json)).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            LOG.warn("smartctl failed: {}", e.getMessage());
        }
        return out;
    }

    /** Parses one {@code smartctl --json -a} document; empty when it carries no SMART status. */
    public static java.util.Optional<DeviceHealth> parse(String device, JsonNode doc) {
        if (!doc.has("smart_status")) {
            return java.util.Optional.empty();
        }
        DeviceHealth.Builder b = DeviceHealth.newBuilder().setDevice(device)
                .setModel(doc.path("model_name").asText(""))
                .setSmartPassed(doc.path("smart_status").path("passed").asBoolean(false))
                .setPowerOnHours(doc.path("power_on_time").path("hours").asLong(0))
                .setTemperatureCelsius(doc.path("temperature").path("current").asInt(0));
        for (JsonNode a : doc.path("ata_smart_attributes").path("table")) {
            b.addAttributes(SmartAttribute.newBuilder().setId(a.path("id").asInt()).setName(a.path("name").asText())
                    .setRawValue(a.path("raw").path("value").asLong()).setNormalized(a.path("value").asInt())
                    .setThreshold(a.path("thresh").asInt()));
        }
        return java.util.Optional.of(b.build());
    }
}
