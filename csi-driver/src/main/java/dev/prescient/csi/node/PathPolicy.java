package dev.prescient.csi.node;

import dev.prescient.csi.CsiException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Staging and target paths must lie under the kubelet directory (or the roots a test names):
 * a request naming /etc or a path with ".." is refused before anything is touched. Both the
 * path and the roots are compared where they really are ({@link RealPaths}): a kubelet
 * directory behind a symlink works, and a symlink inside it cannot lead a mount out of it.
 * The check returns the resolved path, which is the one to act on and to compare with the mount
 * table. (A link swapped in between the check and the mount is not caught: only root can write
 * the kubelet directory.)
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
        Path real;
        try {
            real = RealPaths.resolve(n);
        } catch (NoSuchFileException e) {
            throw CsiException.invalid(field + " " + value + " runs through a symbolic link to nowhere (" + e.getFile() + ")");
        } catch (IOException e) {
            throw CsiException.invalid(field + " " + value + " cannot be resolved: " + e.getMessage());
        }
        for (Path r : roots) {
            Path root = RealPaths.resolveOrNormalize(r);
            if (real.startsWith(root) && !real.equals(root)) {
                return real;
            }
        }
        throw CsiException.invalid(field + " " + value + (real.equals(n) ? "" : " (really " + real + ")")
                + " is outside the kubelet directories " + roots);
    }
}
