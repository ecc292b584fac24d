package dev.prescient.predict.affinity;

/** What kind of data an access touched; the importance scales the dataType score component. */
public enum DataType {
    /** File system or database metadata: small, latency-critical. */
    METADATA(1.0),
    /** Write-ahead logs and journals: on the critical path of every commit. */
    LOG(1.0),
    /** Indexes: read on most queries. */
    INDEX(0.8),
    /** Ordinary data blocks. */
    DATA(0.5),
    /** Scratch and temporary data: cheap to lose, rarely worth mirroring. */
    TEMP(0.1);

    private final double importance;

    DataType(double importance) {
        this.importance = importance;
    }

    public double importance() {
        return importance;
    }
}
