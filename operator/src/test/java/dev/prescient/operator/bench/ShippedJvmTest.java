package dev.prescient.operator.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShippedJvmTest {

    @Test
    void theBenchmarkRunsTheImagesOptionsUnderTheChartsLimit() throws Exception {
        // The repository's own files (the test runs in operator/).
        ShippedJvm jvm = ShippedJvm.read(Path.of("..").toAbsolutePath().normalize());
        assertThat(jvm.memoryLimitBytes()).isEqualTo(512L << 20);
        assertThat(jvm.options()).anyMatch(o -> o.startsWith("-XX:MaxRAMPercentage="));
        assertThat(jvm.asRunHere()).endsWith("-XX:MaxRAM=" + (512L << 20)).containsAll(jvm.options());
    }

    @Test
    void optionsAndLimitAreParsedFromTheirFiles() {
        ShippedJvm jvm = ShippedJvm.parse("""
                FROM x
                ENV JAVA_OPTS_APPEND="-XX:+UseSerialGC  -XX:MaxRAMPercentage=60 -Djava.io.tmpdir=/tmp"
                ENTRYPOINT ["sh"]
                """, """
                image: {}
                operator:
                  image: op
                  resources:
                    requests: { cpu: 100m, memory: 256Mi }
                    limits: { memory: 768Mi }
                csi:
                  controller:
                    resources:
                      limits: { memory: 128Mi }
                """);
        assertThat(jvm.options()).containsExactly("-XX:+UseSerialGC", "-XX:MaxRAMPercentage=60",
                "-Djava.io.tmpdir=/tmp");
        assertThat(jvm.memoryLimitBytes()).isEqualTo(768L << 20);
    }

    @Test
    void aMissingDefinitionIsAClearError() {
        assertThatThrownBy(() -> ShippedJvm.parse("FROM x\n", "operator:\n  resources:\n    limits: { memory: 1Gi }\n"))
                .hasMessageContaining("JAVA_OPTS_APPEND");
        // The csi block's limit must not be taken for the operator's.
        assertThatThrownBy(() -> ShippedJvm.parse("ENV JAVA_OPTS_APPEND=\"-Xss1m\"\n",
                "operator:\n  image: op\ncsi:\n  resources:\n    limits: { memory: 1Gi }\n"))
                .hasMessageContaining("limits");
    }
}
