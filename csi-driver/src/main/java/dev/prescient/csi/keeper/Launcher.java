package dev.prescient.csi.keeper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the node's long-lived data-path processes (engines, nbdfuse) so that they do not share the
 * caller's fate: {@link DirectLauncher} gives them a session of their own, which is enough where the
 * plugin is an ordinary process; {@link KeeperClient} asks the {@link ProcessKeeper}, which on
 * Kubernetes runs in a pod of its own, because a container's processes all die with it.
 */
public interface Launcher {
    /**
     * Starts {@code argv} with stdin from /dev/null and stdout and stderr to {@code log}.
     *
     * @return the process id, in the host's pid namespace where the plugin and the keeper share it
     */
    long start(List<String> argv, Path log, boolean append) throws IOException;
}
