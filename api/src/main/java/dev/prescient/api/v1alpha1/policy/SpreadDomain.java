package dev.prescient.api.v1alpha1.policy;

/** The failure domain replicas of one volume are spread across. */
public enum SpreadDomain {
    Node, Zone
}
