package dev.prescient.operator.plan;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * plan/ decides; it neither talks to the API server nor knows the reconcilers or the loop and act layers that call
 * it (issue 17: observe, decide, act). Scans the package's sources for a reference to a forbidden package, imported
 * or written out in full.
 */
class PlanPackageImportsTest {

    /** Packages plan/ must not use: the Kubernetes client, and the layers above it (no cycle back). */
    static final List<String> FORBIDDEN = List.of("io.fabric8.kubernetes.client.", "dev.prescient.operator.reconcile.",
            "dev.prescient.operator.act.", "dev.prescient.operator.loop.", "dev.prescient.operator.app.");

    static Path planSources() {
        Path p = Path.of("").toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            Path src = d.resolve("src/main/java/dev/prescient/operator/plan");
            if (Files.isDirectory(src)) {
                return src;
            }
            Path module = d.resolve("operator/src/main/java/dev/prescient/operator/plan");
            if (Files.isDirectory(module)) {
                return module;
            }
        }
        throw new IllegalStateException("plan/ sources not found above " + p);
    }

    /** Each "File:line: text" that uses a forbidden package outside a comment. */
    static List<String> violations(String file, String source) {
        List<String> out = new ArrayList<>();
        boolean inComment = false;
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String code = lines[i];
            if (inComment) {
                int end = code.indexOf("*/");
                if (end < 0) {
                    continue;
                }
                code = code.substring(end + 2);
                inComment = false;
            }
            int open = code.indexOf("/*");
            if (open >= 0) {
                inComment = code.indexOf("*/", open + 2) < 0;
                code = code.substring(0, open);
            }
            int line = code.indexOf("//");
            if (line >= 0) {
                code = code.substring(0, line);
            }
            for (String f : FORBIDDEN) {
                if (code.contains(f)) {
                    out.add(file + ":" + (i + 1) + ": " + lines[i].trim());
                }
            }
        }
        return out;
    }

    @Test
    void planUsesNoKubernetesClientAndNoLayerAboveIt() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.list(planSources())) {
            for (Path f : s.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
                files++;
                found.addAll(violations(f.getFileName().toString(), Files.readString(f)));
            }
        }
        assertThat(files).as("plan/ sources scanned").isGreaterThan(10);
        assertThat(found).as("plan/ references to the client or the layers above").isEmpty();
    }

    @Test
    void theScanSeesImportsAndFullNamesButNotComments() {
        assertThat(violations("A.java", "import io.fabric8.kubernetes.client.KubernetesClient;\n")).hasSize(1);
        assertThat(violations("A.java", "import dev.prescient.operator.reconcile.KubeEvents;\n")).hasSize(1);
        assertThat(violations("A.java", "class A { io.fabric8.kubernetes.client.KubernetesClient k; }"))
                .containsExactly("A.java:1: class A { io.fabric8.kubernetes.client.KubernetesClient k; }");
        assertThat(violations("A.java", "/** see\n dev.prescient.operator.act.KubeEvents\n */\n// io.fabric8.kubernetes.client.X\n"
                + "import io.fabric8.kubernetes.api.model.HasMetadata;\n")).isEmpty();
    }
}
