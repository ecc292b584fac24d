package dev.prescient.api.v1alpha1;

/** Names shared by every Prescient resource. */
public final class ApiGroup {
    public static final String GROUP = "storage.prescient.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    /** The CSI driver name; also the provisioner of Prescient StorageClasses. */
    public static final String DRIVER_NAME = "csi.prescient.dev";

    /** Schema patterns reused across resources. */
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** A Go-style duration as Kubernetes writes them: 30s, 5m, 1h30m, 250ms. */
    public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
    /** A Kubernetes quantity in binary or decimal units, e.g. 100Mi, 1Gi, 500M. */
    public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$";

    private ApiGroup() {
    }
}
