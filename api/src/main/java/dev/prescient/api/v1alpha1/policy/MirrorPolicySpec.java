package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MirrorPolicySpec {

    @Default("{}")
    @JsonPropertyDescription("Weights of the signals in the affinity score of a volume or extent to a node or application.")
    private AffinityWeights weights;

    @Pattern(ApiGroup.DURATION)
    @Default("1h")
    @ValidationRule(value = "duration(self) >= duration('1m') && duration(self) <= duration('720h')", message = "decayHalfLife must be between 1m and 720h")
    @JsonPropertyDescription("Half-life of the exponential decay applied to access counts: an access this long ago weighs half as much as one now.")
    private String decayHalfLife;

    @Default("4Mi")
    @JsonPropertyDescription("Size of the extents that heat is tracked for and that tiering moves.")
    private ExtentSize extentSize;

    @Default("{}")
    @JsonPropertyDescription("Affinity scores at which an action is taken. Must be ordered preStage <= mirror <= migrate.")
    private ActionThresholds thresholds;

    @Required
    @JsonPropertyDescription("Heat classes from hot to cold, each with its tier and replica count (tiered placement and tiered mirroring).")
    private HeatClasses heatClasses;

    @Default("{}")
    @JsonPropertyDescription("How writes reach the replicas and how data moves between nodes.")
    private ReplicationSettings replication;

    @Default("{}")
    @JsonPropertyDescription("When a move is worth it and how much moving may happen at once.")
    private MigrationSettings migration;

    @Default("{}")
    @JsonPropertyDescription("Evacuation of replicas off nodes and devices predicted to fail.")
    private FailurePrediction failurePrediction;

    @Default("{}")
    @JsonPropertyDescription("Pre-mirroring of growing volumes to nodes and tiers with room for the forecast size.")
    private CapacitySettings capacity;

    @Default("{}")
    @JsonPropertyDescription("Replicas pre-staged on the nodes predicted to read the data.")
    private PreStaging preStaging;

    @Pattern(ApiGroup.DURATION)
    @Default("1m")
    @ValidationRule(value = "duration(self) >= duration('10s')", message = "evaluationInterval must be at least 10s: the planner needs time to observe the effect of its last decisions")
    @JsonPropertyDescription("How often the planner re-evaluates the volumes using this policy.")
    private String evaluationInterval;

    @Default("Node")
    @JsonPropertyDescription("Failure domain replicas of one volume are spread across: Node or Zone (topology.kubernetes.io/zone).")
    private SpreadDomain spread;

    @Default("{}")
    @JsonPropertyDescription("Service level objectives the planner protects when it decides.")
    private ServiceLevelObjectives slo;

    @JsonPropertyDescription("Volumes and nodes the planner must leave alone.")
    private Exclusions exclusions;

    public AffinityWeights getWeights() {
        return weights;
    }

    public void setWeights(AffinityWeights weights) {
        this.weights = weights;
    }

    public String getDecayHalfLife() {
        return decayHalfLife;
    }

    public void setDecayHalfLife(String decayHalfLife) {
        this.decayHalfLife = decayHalfLife;
    }

    public ExtentSize getExtentSize() {
        return extentSize;
    }

    public void setExtentSize(ExtentSize extentSize) {
        this.extentSize = extentSize;
    }

    public ActionThresholds getThresholds() {
        return thresholds;
    }

    public void setThresholds(ActionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public HeatClasses getHeatClasses() {
        return heatClasses;
    }

    public void setHeatClasses(HeatClasses heatClasses) {
        this.heatClasses = heatClasses;
    }

    public ReplicationSettings getReplication() {
        return replication;
    }

    public void setReplication(ReplicationSettings replication) {
        this.replication = replication;
    }

    public MigrationSettings getMigration() {
        return migration;
    }

    public void setMigration(MigrationSettings migration) {
        this.migration = migration;
    }

    public FailurePrediction getFailurePrediction() {
        return failurePrediction;
    }

    public void setFailurePrediction(FailurePrediction failurePrediction) {
        this.failurePrediction = failurePrediction;
    }

    public CapacitySettings getCapacity() {
        return capacity;
    }

    public void setCapacity(CapacitySettings capacity) {
        this.capacity = capacity;
    }

    public PreStaging getPreStaging() {
        return preStaging;
    }

    public void setPreStaging(PreStaging preStaging) {
        this.preStaging = preStaging;
    }

    public String getEvaluationInterval() {
        return evaluationInterval;
    }

    public void setEvaluationInterval(String evaluationInterval) {
        this.evaluationInterval = evaluationInterval;
    }

    public SpreadDomain getSpread() {
        return spread;
    }

    public void setSpread(SpreadDomain spread) {
        this.spread = spread;
    }

    public ServiceLevelObjectives getSlo() {
        return slo;
    }

    public void setSlo(ServiceLevelObjectives slo) {
        this.slo = slo;
    }

    public Exclusions getExclusions() {
        return exclusions;
    }

    public void setExclusions(Exclusions exclusions) {
        this.exclusions = exclusions;
    }
}
