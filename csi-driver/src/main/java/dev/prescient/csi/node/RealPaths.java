package dev.prescient.csi.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where a path really is: every symbolic link along it followed, components that do not exist
 * yet appended as they are (they cannot be links). The kernel reports mounts by this path in
 * /proc/self/mountinfo, so paths are checked and compared only in this form.
 */
public final class RealPaths {
    private RealPaths() {
    }

    /**
     * @throws NoSuchFileException when a link along the path points nowhere (it would be followed
     *     by whoever creates the path, to a place nobody checked)
     * @throws IOException a link loop or an unreadable link
     */
    public static Path resolve(Path path) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            return abs;
        }
        Path here = resolve(parent).resolve(abs.getFileName());
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(here, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return here;
        } catch (IOException e) {
            // lstat of a mount point whose FUSE server died fails (ENOTCONN); it is no link, it is here.
            return here;
        }
        return a.isSymbolicLink() ? here.toRealPath() : here;
    }

    /** {@link #resolve}, or the normalized path when it cannot be resolved: for comparisons only, never for checks. */
    public static Path resolveOrNormalize(Path path) {
        try {
            return resolve(path);
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }
}
