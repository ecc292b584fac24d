package dev.prescient.operator.plan;

/** Heat class of a volume as the planner sees it; mirrors the API's HeatClassName without depending on it. */
public enum HeatLevel {
    Hot, Warm, Cold
}
