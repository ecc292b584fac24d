package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceRiskAssessorTest {

    private static final long HOUR = 3600_000L;

    private static DeviceRiskAssessor withoutSmart() {
        return new DeviceRiskAssessor(null, new HealthSignalTracker(64), new HealthSignalTracker(64),
                new AdaptiveThreshold(AdaptiveThreshold.Config.defaults()));
    }

    @Test
    void noHistoryAndNoSmartMeansNoAlertAndSaysSo() {
        DeviceRiskAssessor a = withoutSmart();
        DeviceRiskAssessor.Assessment r = a.assess(null, Double.NaN, Double.NaN, 0);
        assertThat(r.alert()).isFalse();
        assertThat(r.prediction().probability()).isZero();
        assertThat(r.reasons()).containsExactly(DeviceRiskAssessor.Reason.NO_SIGNALS);
    }

    @Test
    void latencyAnomalyAgainstOwnHistoryRaisesAnAlert() {
        DeviceRiskAssessor a = withoutSmart();
        for (int i = 0; i < 50; i++) {
            DeviceRiskAssessor.Assessment r = a.assess(null, 2.0 + (i % 5) * 0.1, 0.0, i * HOUR);
            assertThat(r.alert()).isFalse();
        }
        // A few slow reports are a busy moment, not a failing disk; five in a row are.
        for (int i = 0; i < 4; i++) {
            assertThat(a.assess(null, 40.0, 0.0, (51 + i) * HOUR).alert()).as("slow report %d", i + 1).isFalse();
        }
        DeviceRiskAssessor.Assessment lasting = a.assess(null, 40.0, 0.0, 55 * HOUR);
        assertThat(lasting.latencyZ()).isGreaterThan(10);
        assertThat(lasting.alert()).isTrue();
        assertThat(lasting.reasons()).contains(DeviceRiskAssessor.Reason.LATENCY_ANOMALY);
    }

    @Test
    void smartRiskAndFeedbackMoveTheThreshold() {
        FeatureSchema schema = new FeatureSchema(SyntheticDrives.COLUMNS);
        SyntheticDrives d = new SyntheticDrives(3000, 0.05, 0.0, 9);
        FailurePredictor p = FailurePredictor.train(schema, d.rows, d.labels, 2,
                new GradientBoostedTrees.Params(40, 3, 0.1, 1, 0.05, 32, 0.8), 1);
        DeviceRiskAssessor a = new DeviceRiskAssessor(p, new HealthSignalTracker(64), new HealthSignalTracker(64),
                new AdaptiveThreshold(AdaptiveThreshold.Config.defaults()));
        double[] bad = {500, 20000, 25, 30, 90};
        DeviceRiskAssessor.Assessment r = a.assess(bad, Double.NaN, Double.NaN, 0);
        assertThat(r.alert()).isTrue();
        assertThat(r.reasons()).contains(DeviceRiskAssessor.Reason.SMART_RISK);
        double before = a.threshold().current(0);
        a.onFalseAlarm(bad, 0);
        assertThat(a.threshold().current(0)).isGreaterThan(before);
        a.onFailure(bad, 0);
        a.onFailure(bad, 0);
        assertThat(a.threshold().current(0)).isLessThan(before);
        assertThat(p.buffered()).isEqualTo(3);
    }

    private static DeviceRiskAssessor withPeers() {
        return new DeviceRiskAssessor(null, new HealthSignalTracker(64), new HealthSignalTracker(64),
                new HealthSignalTracker(64), new AdaptiveThreshold(AdaptiveThreshold.Config.defaults()));
    }

    @Test
    void ownHistoryAndPeersCombine() {
        assertThat(DeviceRiskAssessor.combine(6, Double.NaN)).isEqualTo(6);
        assertThat(DeviceRiskAssessor.combine(Double.NaN, 9)).isNaN();
        // Either reference explaining the latency wins: a shared cause, or hardware slower than its peers by nature.
        assertThat(DeviceRiskAssessor.combine(20, 1)).isEqualTo(1);
        assertThat(DeviceRiskAssessor.combine(1, 20)).isEqualTo(1);
        // Both calling it anomalous is more evidence than either alone.
        assertThat(DeviceRiskAssessor.combine(6, 6)).isCloseTo(8.49, org.assertj.core.data.Offset.offset(0.01));
        assertThat(HealthSignalTracker.anomalyProbability(DeviceRiskAssessor.combine(6, 6), 0)).isGreaterThan(0.9);
    }

    @Test
    void aSlowdownItsPeersShareIsNotAFailure() {
        DeviceRiskAssessor a = withPeers();
        for (int i = 0; i < 30; i++) {
            assertThat(a.assess(null, 10.0 + i % 3, 11.0, 0.0, i * 2_000L).alert()).isFalse();
        }
        // The whole tier slows down 40x on every node (a busy shared disk): anomalous against its own past only.
        DeviceRiskAssessor.Assessment shared = null;
        for (int i = 30; i < 45; i++) {
            shared = a.assess(null, 400.0, 420.0, 0.0, i * 2_000L);
            assertThat(shared.alert()).as("report %d", i).isFalse();
        }
        assertThat(shared.ownZ()).isGreaterThan(20);
        assertThat(shared.peerZ()).isLessThan(1);
        assertThat(shared.reasons()).containsExactly(DeviceRiskAssessor.Reason.SHARED_SLOWDOWN);
        // Then it slows down alone: its peers are back at 11 ms.
        DeviceRiskAssessor.Assessment alone = null;
        for (int i = 45; i < 50; i++) {
            alone = a.assess(null, 400.0, 11.0, 0.0, i * 2_000L);
        }
        assertThat(alone.alert()).isTrue();
        assertThat(alone.reasons()).containsExactly(DeviceRiskAssessor.Reason.LATENCY_ANOMALY);
    }

    @Test
    void aDeviceSlowerThanItsPeersByNatureIsNotFailing() {
        DeviceRiskAssessor a = withPeers();
        DeviceRiskAssessor.Assessment r = null;
        for (int i = 0; i < 40; i++) {
            // An hdd among ssds: 20x its peers, every report.
            r = a.assess(null, 200.0 + i % 4, 10.0, 0.0, i * 2_000L);
            assertThat(r.alert()).isFalse();
        }
        assertThat(r.peerZ()).isLessThan(1);
        assertThat(r.reasons()).isEmpty();
    }

    @Test
    void peersThatFirstReportAfterTheDeviceBeganToFailDoNotMakeItsFailureNormal() {
        DeviceRiskAssessor a = withPeers();
        for (int i = 0; i < 30; i++) {
            a.assess(null, 12.0 + i % 3, Double.NaN, 0.0, i * 2_000L);
        }
        // It fails while no peer has I/O on that tier, then the peers report for a minute: it stays failing.
        for (int i = 30; i < 80; i++) {
            DeviceRiskAssessor.Assessment r = a.assess(null, 393.0, i < 35 ? Double.NaN : 12.0, 0.0, i * 2_000L);
            if (i >= 34) {
                assertThat(r.alert()).as("report %d, peer z %.2f", i, r.peerZ()).isTrue();
            }
        }
    }

    /**
     * node-b's nvme in a LocalModeIT run (06:42, CI clone): eight reports while nearly idle (median 0.8 ms), then the
     * workload arrived and it answered in 12-25 ms, as its peer node-a's nvme did at the same moment. Against its
     * young own past alone that was z 14, p 1.00, and a healthy node was evacuated.
     */
    @Test
    void aYoungHistoryIsCheckedAgainstThePeersDirectly() {
        double[][] reports = { // p99 ms, peers' p99 ms (NaN: no peer reported)
            {0.4, 3.1}, {0.8, 3.1}, {0.8, 3.1}, {0.8, Double.NaN}, {0.8, Double.NaN}, {6.1, Double.NaN},
            {6.1, 0.8}, {6.1, 3.1}, {6.1, 3.1}, {12.3, 6.1}, {24.6, 6.1}, {24.6, 12.3}, {12.3, 12.3}, {6.1, 6.1},
            {12.3, 6.1}, {12.3, 12.3}, {24.6, 12.3}, {12.3, 12.3}};
        DeviceRiskAssessor a = withPeers();
        DeviceRiskAssessor alone = withoutSmart();
        double worst = 0;
        double worstAlone = 0;
        for (int i = 0; i < reports.length; i++) {
            worst = Math.max(worst, a.assess(null, reports[i][0], reports[i][1], 0.0, i * 2_000L).prediction()
                    .probability());
            worstAlone = Math.max(worstAlone, alone.assess(null, reports[i][0], 0.0, i * 2_000L).prediction()
                    .probability());
        }
        assertThat(worstAlone).as("against its own young past").isGreaterThan(0.9);
        assertThat(worst).as("and against its peers").isLessThan(0.5);
    }

    /**
     * Local mode, node-c: its disk's latency ramps up and stays at 400 ms while its peers stay at 11 ms. Held back for
     * a whole window, the plateau used to become the device's own normal (observeUnlessAnomalous): two minutes in, p
     * fell under the threshold and the evacuation was rolled back as a false alarm while the disk still failed.
     */
    @Test
    void aPlateauSlowerThanItsPeersNeverBecomesTheDevicesNormal() {
        DeviceRiskAssessor a = withPeers();
        long t = 0;
        for (int i = 0; i < 30; i++) {
            a.assess(null, 10.0 + i % 3, 11.0, 0.0, t += 2_000);
        }
        boolean alerted = false;
        for (int i = 0; i < 400; i++) {
            double ms = Math.min(400, 10 + 6.0 * i); // 3 ms per second, a report every 2 s, then the plateau
            DeviceRiskAssessor.Assessment r = a.assess(null, ms, 11.0, 0.0, t += 2_000);
            alerted |= r.alert();
            if (alerted) {
                assertThat(r.prediction().probability()).as("report %d at %.0f ms, own z %.2f, peer z %.2f", i, ms,
                        r.ownZ(), r.peerZ()).isGreaterThan(0.8);
            }
        }
        assertThat(alerted).isTrue();
        // It recovers: healthy again at once, against the past it was not allowed to forget.
        DeviceRiskAssessor.Assessment healthy = null;
        for (int i = 0; i < 5; i++) {
            healthy = a.assess(null, 10.0 + i % 3, 11.0, 0.0, t += 2_000);
        }
        assertThat(healthy.alert()).isFalse();
        assertThat(healthy.prediction().probability()).isLessThan(0.1);
    }
}
