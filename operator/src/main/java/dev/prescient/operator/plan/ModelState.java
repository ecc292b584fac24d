package dev.prescient.operator.plan;

import java.time.Duration;
import java.util.Map;

/**
 * Where {@link PlannerMemory} keeps its named JSON parts (act.ModelStateStore: one ConfigMap per part). An interface
 * here so that the planner's memory decides what to save and when without holding a Kubernetes client.
 */
public interface ModelState {

    /** Stay under the API server's 1 MiB object limit with room for metadata. */
    int MAX_BYTES = 900 << 10;

    /** Every part found (part name to JSON); nothing when none could be read (the models relearn). */
    Map<String, String> load();

    /** Hands parts over for writing; a part equal to what is stored is not written again. */
    void save(Map<String, String> parts);

    /** Waits until what was handed over is written (or failed); false on timeout. */
    boolean flush(Duration timeout) throws InterruptedException;

    /** Where a part is kept, for log lines (e.g. "ConfigMap/prescient-model-state-nodes"). */
    String where(String part);
}
