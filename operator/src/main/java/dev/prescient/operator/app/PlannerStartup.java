package dev.prescient.operator.app;

import dev.prescient.operator.loop.PlannerDriver;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/**
 * Starts the planner's loop with the application. It plans once this operator leads: at once without leader
 * election, else when the Lease is won (OperatorBeans.leaderElection). Each tick waits until the shared caches
 * have listed every kind.
 */
@Singleton
public class PlannerStartup {

    void start(@Observes StartupEvent ev, PlannerDriver driver,
               @ConfigProperty(name = "prescient.planner.enabled") boolean enabled,
               @ConfigProperty(name = "prescient.planner.tick") Duration tick,
               @ConfigProperty(name = "prescient.leader-election.enabled") boolean leaderElection) {
        if (!enabled) {
            return;
        }
        if (!leaderElection) {
            driver.lead();
        }
        driver.start(tick);
    }
}
