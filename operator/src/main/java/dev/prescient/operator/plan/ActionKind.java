package dev.prescient.operator.plan;

/** What the planner wants done. Every kind reduces to adding or dropping a replica (DESIGN.md). */
public enum ActionKind {
    /** Add a replica elsewhere because the node holding one is predicted to fail. */
    Evacuate,
    /** Add a replica on a node/tier with room for the forecast size before the volume grows into it. */
    PreMirror,
    /** Move the primary to the tier of its heat class on the same node. */
    Retier,
    /** Add a lasting mirror because the heat class asks for more copies. */
    AddMirror,
    /** Move the primary to the node that reads it most. */
    Migrate,
    /** Add a short-lived replica on a node predicted to read the data soon. */
    PreStage,
    /** Drop a replica: expired pre-stage, false-alarm evacuation, or surplus mirror. */
    RemoveReplica
}
