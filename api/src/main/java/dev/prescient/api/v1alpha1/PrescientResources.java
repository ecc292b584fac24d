package dev.prescient.api.v1alpha1;

import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/** Every custom resource kind of the API, for code that handles them all (CRD generation, installers). */
public final class PrescientResources {

    public static final List<Class<? extends CustomResource<?, ?>>> ALL = List.of(
            StorageTier.class, MirrorPolicy.class, ReplicatedVolume.class, VolumeMigration.class, StorageNode.class);

    private PrescientResources() {
    }

    /** A serializer that knows every Prescient kind, so untyped YAML comes back as the right class. */
    public static KubernetesSerialization serialization() {
        KubernetesSerialization s = new KubernetesSerialization();
        ALL.forEach(s::registerKubernetesResource);
        return s;
    }

    /** The CRD name, e.g. storagetiers.storage.prescient.dev. */
    public static String crdName(Class<? extends CustomResource<?, ?>> type) {
        return CustomResource.getCRDName(type);
    }
}
