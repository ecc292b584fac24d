package dev.prescient.operator.app;

import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.agent.ClusterNodeAgents;
import dev.prescient.operator.observe.ClusterCache;
import dev.prescient.operator.agent.GrpcNodeAgentClient;
import dev.prescient.operator.agent.NodeAgents;
import dev.prescient.operator.agent.NodeReports;
import dev.prescient.operator.agent.ReplicaInventory;
import dev.prescient.operator.plan.OperatorLimits;
import dev.prescient.operator.plan.VolumeInsights;
import dev.prescient.operator.telemetry.VolumeForecasts;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.metrics.VolumePhaseGauges;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.migration.MigrationStateMachine;
import dev.prescient.operator.act.KubeEvents;
import dev.prescient.operator.act.MigrationCreator;
import dev.prescient.operator.act.ModelStateStore;
import dev.prescient.operator.act.PlannerActions;
import dev.prescient.operator.loop.PlannerDriver;
import dev.prescient.operator.loop.PlannerLoop;
import dev.prescient.operator.loop.PolicyPasses;
import dev.prescient.operator.observe.Observer;
import dev.prescient.operator.observe.TelemetrySweep;
import dev.prescient.operator.plan.PassRecorder;
import dev.prescient.operator.plan.ReactivePolicy;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import dev.prescient.operator.telemetry.AffinityProfiles;
import dev.prescient.operator.telemetry.NodeHealthModel;
import dev.prescient.operator.util.Units;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Wires the plain classes into CDI; every knob has a default in application.properties. */
public class OperatorBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    OperatorMetrics metrics(MeterRegistry registry) {
        return new OperatorMetrics(registry);
    }

    /**
     * The operator framework's reconcile metrics per controller only. Its default (quarkus-operator-sdk's
     * MicrometerMetricsProvider) also keeps a counter and timer set per resource: at 10,000 volumes ~22,000
     * histograms and ~266,000 tags in the live heap (bench/operator-scale-real.sh), and nothing in the chart's
     * alerts or dashboard reads a per-resource series.
     */
    @Produces
    @Singleton
    Metrics operatorFrameworkMetrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }

    @Produces
    @Singleton
    KubeEvents events(KubernetesClient client, Clock clock) {
        return new KubeEvents(client, clock);
    }

    /**
     * The one cache of the cluster-scoped resources: the reconcilers' informer stores, shared with the planner, the
     * agent lookup and the metrics (issue 17: each kind listed and watched once).
     */
    @Produces
    @Singleton
    ClusterCache clusterCache(MeterRegistry registry) {
        ClusterCache cache = new ClusterCache();
        VolumePhaseGauges.register(registry, () -> cache.list(ReplicatedVolume.class));
        return cache;
    }

    @Produces
    @Singleton
    @DefaultBean
    NodeAgents nodeAgents(ClusterCache cache,
                          @ConfigProperty(name = "prescient.agent.tls.certificate") Optional<String> cert,
                          @ConfigProperty(name = "prescient.agent.tls.key") Optional<String> key,
                          @ConfigProperty(name = "prescient.agent.tls.ca") Optional<String> ca,
                          @ConfigProperty(name = "prescient.agent.deadline") Duration deadline) {
        GrpcNodeAgentClient.Tls tls = cert.isPresent() && key.isPresent() && ca.isPresent()
                ? new GrpcNodeAgentClient.Tls(Path.of(cert.get()), Path.of(key.get()), Path.of(ca.get())) : null;
        return new ClusterNodeAgents(cache, tls, deadline);
    }

    void close(@Disposes NodeAgents agents) throws Exception {
        if (agents instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Produces
    @Singleton
    MigrationExecutor executor(NodeAgents agents, Clock clock,
                               @ConfigProperty(name = "prescient.migration.max-attempts") int maxAttempts,
                               @ConfigProperty(name = "prescient.migration.poll-interval") Duration poll) {
        return new MigrationExecutor(agents, new MigrationStateMachine(maxAttempts), clock, poll);
    }

    @Produces
    @Singleton
    NodeHealthModel nodeHealthModel(@ConfigProperty(name = "prescient.failure.threshold") double threshold,
                                    @ConfigProperty(name = "prescient.node.interval") Duration interval) {
        return new NodeHealthModel(threshold, interval.toMillis());
    }

    /** One health sweep shared by the planner (which pulls it) and node health (which reads it). */
    @Produces
    @Singleton
    NodeReports nodeReports() {
        return new NodeReports();
    }

    @Produces
    @Singleton
    VolumeInsights volumeInsights() {
        return new VolumeInsights();
    }

    @Produces
    @Singleton
    ReplicaInventory replicaInventory(NodeAgents agents, Clock clock) {
        return new ReplicaInventory(agents, clock);
    }

    /** Operator-wide movement caps; each policy's own limits apply too, the tighter wins. 0 = no cap. */
    @Produces
    @Singleton
    OperatorLimits operatorLimits(
            @ConfigProperty(name = "prescient.limits.cluster.max-concurrent") int clusterConcurrent,
            @ConfigProperty(name = "prescient.limits.cluster.bandwidth") String clusterBw,
            @ConfigProperty(name = "prescient.limits.node.max-concurrent") int nodeConcurrent,
            @ConfigProperty(name = "prescient.limits.node.bandwidth") String nodeBw,
            @ConfigProperty(name = "prescient.limits.nodes") Optional<String> perNode) {
        return new OperatorLimits(clusterConcurrent, Units.bytes(clusterBw, 0), nodeConcurrent, Units.bytes(nodeBw, 0),
                OperatorLimits.parseNodes(perNode.orElse("")));
    }

    @Produces
    @Singleton
    VolumeForecasts volumeForecasts(@ConfigProperty(name = "prescient.forecast.step") Duration step,
                                    @ConfigProperty(name = "prescient.forecast.min-samples") int minSamples,
                                    @ConfigProperty(name = "prescient.forecast.keep") int keep,
                                    @ConfigProperty(name = "prescient.forecast.retrain-every") int retrainEvery,
                                    @ConfigProperty(name = "prescient.forecast.train-budget") int budget,
                                    @ConfigProperty(name = "prescient.forecast.level") double level,
                                    @ConfigProperty(name = "prescient.planner.day-length") Duration day) {
        return new VolumeForecasts(new VolumeForecasts.Config(step, minSamples, keep, retrainEvery, budget, level,
                day));
    }

    @Produces
    @Singleton
    PolicyPasses policyPasses() {
        return new PolicyPasses();
    }

    /** Every write the planner makes: migrations (created this many at once), replica removals, read switches. */
    @Produces
    @Singleton
    PlannerActions plannerActions(KubernetesClient client, KubeEvents events, NodeAgents agents,
                                  NodeHealthModel health, VolumeInsights insights, OperatorMetrics metrics,
                                  @ConfigProperty(name = "prescient.planner.create-concurrency") int createConcurrency) {
        return new PlannerActions(new MigrationCreator(client, metrics, createConcurrency), events, agents,
                health, insights, metrics);
    }

    @Produces
    @Singleton
    PlannerLoop plannerLoop(KubernetesClient client, ClusterCache cache, NodeAgents agents, NodeReports reports,
                            NodeHealthModel health, OperatorMetrics metrics, PlannerActions actions,
                            Clock clock, OperatorLimits limits, VolumeForecasts forecasts, ReplicaInventory inventory,
                            @ConfigProperty(name = "prescient.operator.namespace") String namespace,
                            @ConfigProperty(name = "prescient.state.configmap") String configMap,
                            @ConfigProperty(name = "prescient.planner.heat-scale") double heatScale,
                            @ConfigProperty(name = "prescient.planner.lead-time") Duration lead,
                            @ConfigProperty(name = "prescient.planner.day-length") Duration day,
                            @ConfigProperty(name = "prescient.planner.new-volume-warm-up") Duration warmUp,
                            @ConfigProperty(name = "prescient.planner.mode") String mode,
                            @ConfigProperty(name = "prescient.planner.reactive-dwell") Duration dwell,
                            @ConfigProperty(name = "prescient.planner.record") Optional<String> record,
                            @ConfigProperty(name = "prescient.state.save-interval") Duration saveInterval) {
        ReactivePolicy reactive = switch (mode) {
            case "predictive" -> null;
            case "reactive" -> new ReactivePolicy(dwell);
            default -> throw new IllegalArgumentException("prescient.planner.mode must be predictive or reactive, not "
                    + mode);
        };
        TelemetrySweep sweep = new TelemetrySweep(agents, metrics, clock);
        sweep.shareReports(reports);
        return new PlannerLoop(new Observer(cache, sweep, inventory),
                new PlannerLoop.Models(health, new AffinityProfiles(0.3, day), forecasts), actions,
                new ModelStateStore(client, namespace, configMap), metrics, clock,
                new PlannerLoop.Config(limits, heatScale, lead, warmUp, saveInterval, reactive,
                        record.filter(f -> !f.isBlank()).map(f -> new PassRecorder(Path.of(f))).orElse(null)));
    }

    /** The planner's own loop; it plans once this operator leads (see leaderElection, and PlannerStartup). */
    @Produces
    @Singleton
    PlannerDriver plannerDriver(PlannerLoop loop, ClusterCache cache, PlannerActions actions, PolicyPasses passes,
                                Clock clock) {
        return new PlannerDriver(loop, cache, actions, passes, clock);
    }

    void close(@Disposes PlannerDriver driver) {
        driver.close();
    }

    /** One active operator at a time; the others wait on the Lease and take over where the leader stopped. */
    @Produces
    @Singleton
    @IfBuildProperty(name = "prescient.leader-election.enabled", stringValue = "true", enableIfMissing = true)
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "prescient.leader-election.lease-name") String lease,
            @ConfigProperty(name = "prescient.operator.namespace") String namespace, PlannerDriver planner) {
        // The planner runs outside the reconcilers, so it is told itself when this operator leads. A leader that
        // loses the Lease exits (the framework's default), so planning never has to stop in a running process.
        return new LeaderElectionConfiguration(lease, namespace, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
                new LeaderCallbacks(planner::lead, () -> { }, leader -> { }), true);
    }
}
