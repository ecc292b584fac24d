package dev.prescient.api.v1alpha1.policy;

import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * How Prescient scores, mirrors, tiers and moves the volumes that use it. A StorageClass names it in
 * its {@code mirrorPolicy} parameter. Cluster-scoped.
 */
@Group(ApiGroup.GROUP)
@ValidationRule(value = "has(self.spec)", message = "spec is required")
@Version(ApiGroup.VERSION)
@ShortNames("mpol")
@Plural("mirrorpolicies")
@AdditionalPrinterColumn(name = "PreStage", jsonPath = ".spec.thresholds.preStage", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Mirror", jsonPath = ".spec.thresholds.mirror", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Migrate", jsonPath = ".spec.thresholds.migrate", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Replication", jsonPath = ".spec.replication.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Volumes", jsonPath = ".status.volumeCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class MirrorPolicy extends CustomResource<MirrorPolicySpec, MirrorPolicyStatus> {
}
