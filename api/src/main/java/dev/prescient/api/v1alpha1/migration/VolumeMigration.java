package dev.prescient.api.v1alpha1.migration;

import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One move of one replica of a volume, created by the planner or by a person. Resumable after any
 * crash; rolls back rather than lose data. Cluster-scoped.
 */
@Group(ApiGroup.GROUP)
@ValidationRule(value = "has(self.spec)", message = "spec is required")
@Version(ApiGroup.VERSION)
@ShortNames("vmig")
@Plural("volumemigrations")
@AdditionalPrinterColumn(name = "Volume", jsonPath = ".spec.volume", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "From", jsonPath = ".spec.from.node", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "To", jsonPath = ".spec.to.node", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Tier", jsonPath = ".spec.to.tier", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".spec.reason", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progressPercent", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Pause-ms", jsonPath = ".status.pauseMillis", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class VolumeMigration extends CustomResource<VolumeMigrationSpec, VolumeMigrationStatus> {
}
