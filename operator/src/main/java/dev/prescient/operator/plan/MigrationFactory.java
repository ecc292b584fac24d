package dev.prescient.operator.plan;

import dev.prescient.api.v1alpha1.common.NodeTier;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

import java.time.Instant;

/** A planned action as a VolumeMigration resource, labelled so later passes know what each replica is for. */
public final class MigrationFactory {

    public static final String ACTION_LABEL = "storage.prescient.dev/action";
    public static final String VOLUME_LABEL = "storage.prescient.dev/volume";

    private MigrationFactory() {
    }

    public static VolumeMigration toMigration(PlannedAction a, long bandwidth, Instant now) {
        return toMigration(a, bandwidth, MigrationNames.name(a, now));
    }

    /** With the name {@link MigrationNames} gave the decision. */
    public static VolumeMigration toMigration(PlannedAction a, long bandwidth, String name) {
        VolumeMigration vm = new VolumeMigration();
        vm.setMetadata(new ObjectMetaBuilder().withName(name)
                .addToLabels(ACTION_LABEL, a.kind().name())
                .addToLabels(VOLUME_LABEL, a.volume().length() > 63 ? a.volume().substring(0, 63) : a.volume())
                .build());
        VolumeMigrationSpec s = new VolumeMigrationSpec();
        s.setVolume(a.volume());
        s.setFrom(nodeTier(a.fromNode(), a.fromTier()));
        s.setTo(nodeTier(a.toNode(), a.toTier()));
        s.setReason(a.reason());
        s.setKeepSource(a.keepSource());
        if (a.keepSource() && a.expireAfter() != null) {
            s.setExpireAfter(a.expireAfter().toHours() + "h");
        }
        s.setBandwidthLimit(bandwidth + "");
        s.setCancel(false);
        String why = a.explanation();
        s.setExplanation(why.length() > 4096 ? why.substring(0, 4096) : why);
        vm.setSpec(s);
        return vm;
    }

    private static NodeTier nodeTier(String node, String tier) {
        NodeTier t = new NodeTier();
        t.setNode(node);
        t.setTier(tier);
        return t;
    }
}
