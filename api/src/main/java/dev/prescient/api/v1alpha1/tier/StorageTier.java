package dev.prescient.api.v1alpha1.tier;

import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A class of storage media present on nodes (NVMe, SSD, HDD), ranked by speed. Cluster-scoped. */
@Group(ApiGroup.GROUP)
@ValidationRule(value = "has(self.spec)", message = "spec is required")
@Version(ApiGroup.VERSION)
@ShortNames("stier")
@Plural("storagetiers")
@AdditionalPrinterColumn(name = "Media", jsonPath = ".spec.media", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Rank", jsonPath = ".spec.rank", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Nodes", jsonPath = ".status.nodeCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Capacity", jsonPath = ".status.capacity", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Used", jsonPath = ".status.used", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class StorageTier extends CustomResource<StorageTierSpec, StorageTierStatus> {
}
