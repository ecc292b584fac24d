package dev.prescient.api.v1alpha1.volume;

import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One Prescient volume, backing one PersistentVolume, with its replica set. Cluster-scoped. */
@Group(ApiGroup.GROUP)
@ValidationRule(value = "has(self.spec)", message = "spec is required")
@Version(ApiGroup.VERSION)
@ShortNames("rvol")
@Plural("replicatedvolumes")
@AdditionalPrinterColumn(name = "Capacity", jsonPath = ".status.capacity", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".status.replicaSummary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Node", jsonPath = ".status.attachment.node", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Heat", jsonPath = ".status.heatClass", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Policy", jsonPath = ".spec.policy", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ReplicatedVolume extends CustomResource<ReplicatedVolumeSpec, ReplicatedVolumeStatus> {
}
