package dev.prescient.csi.controller;

import dev.prescient.csi.CsiException;
import java.util.Map;

/**
 * StorageClass parameters: {@code mirrorPolicy} (MirrorPolicy name), {@code tier} (StorageTier
 * name of the first replica), {@code replicas} (wanted replica count, 1..5). Keys the external
 * provisioner adds ({@code csi.storage.k8s.io/...}) are ignored; any other key is a typo we refuse.
 */
public record StorageParams(String mirrorPolicy, String tier, int replicas) {
    public static final int MAX_REPLICAS = 5;

    public static StorageParams parse(Map<String, String> params) {
        String policy = "";
        String tier = ControllerService.DEFAULT_TIER;
        int replicas = 1;
        for (var e : params.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            switch (k) {
                case ControllerService.PARAM_POLICY -> policy = v;
                case ControllerService.PARAM_TIER -> tier = v.isEmpty() ? ControllerService.DEFAULT_TIER : v;
                case ControllerService.PARAM_REPLICAS -> {
                    try {
                        replicas = Integer.parseInt(v.trim());
                    } catch (NumberFormatException ex) {
                        throw CsiException.invalid("parameter replicas must be an integer, got " + v);
                    }
                    if (replicas < 1 || replicas > MAX_REPLICAS) {
                        throw CsiException.invalid("parameter replicas must be 1.." + MAX_REPLICAS + ", got " + v);
                    }
                }
                default -> {
                    if (!k.startsWith("csi.storage.k8s.io/")) {
                        throw CsiException.invalid("unknown StorageClass parameter " + k);
                    }
                }
            }
        }
        return new StorageParams(policy, tier, replicas);
    }
}
