package dev.prescient.api.v1alpha1.node;

import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A worker running the Prescient node plugin: its tiers, health and load. Cluster-scoped. */
@Group(ApiGroup.GROUP)
@ValidationRule(value = "has(self.spec)", message = "spec is required")
@Version(ApiGroup.VERSION)
@ShortNames("snode")
@Plural("storagenodes")
@AdditionalPrinterColumn(name = "Zone", jsonPath = ".spec.zone", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Health", jsonPath = ".status.healthScore", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Fail-Prob", jsonPath = ".status.failureProbability", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Confidence", jsonPath = ".status.failureConfidence", type = AdditionalPrinterColumn.Type.NUMBER, priority = 1)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".status.load.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Cordoned", jsonPath = ".spec.cordoned", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class StorageNode extends CustomResource<StorageNodeSpec, StorageNodeStatus> {
}
