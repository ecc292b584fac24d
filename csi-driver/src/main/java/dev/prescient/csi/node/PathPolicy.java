package dev.prescient.csi.node;

import dev.prescient.csi.CsiException;
import java.nio.file.Path;
import java.util.List;

/**
 * Staging and target paths must lie under the kubelet directory (or the roots a test names):
 * a request naming /etc or a path with ".." is refused before anything is touched.
 */
public final class PathPolicy {
    private final List<Path> roots;

    public PathPolicy(List<Path> roots) {
        this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    public Path check(String field, String value) {
        if (value.isEmpty()) {
            throw CsiException.invalid(field + " is required");
        }
        Path p = Path.of(value);
        if (!p.isAbsolute()) {
            throw CsiException.invalid(field + " must be absolute: " + value);
        }
        Path n = p.normalize();
        if (!n.equals(p) || value.contains("/../") || value.endsWith("/..")) {
            throw CsiException.invalid(field + " must be normalized: " + value);
        }
        for (Path r : roots) {
            if (n.startsWith(r) && !n.equals(r)) {
                return n;
            }
        }
        throw CsiException.invalid(field + " " + value + " is outside the kubelet directories " + roots);
    }
}
