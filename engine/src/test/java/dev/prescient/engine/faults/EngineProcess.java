package dev.prescient.engine.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.EngineMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** An {@link EngineMain} in its own JVM, started with the given JVM options, its output kept. */
public final class EngineProcess implements AutoCloseable {
    /** What the node agent gives each engine (csi-driver EngineExports.JVM_OPTS). */
    public static final List<String> AGENT_JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");

    public final Process process;
    public final List<String> output = new CopyOnWriteArrayList<>();

    private EngineProcess(Process process) {
        this.process = process;
    }

    /** Starts and returns once the engine printed "ready" (it serves). */
    public static EngineProcess start(List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EngineMain.class.getName());
        cmd.addAll(List.of(args));
        EngineProcess e = new EngineProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        BufferedReader out = new BufferedReader(new InputStreamReader(e.process.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            e.output.add(line);
        }
        assertThat(line).as("engine start; output: %s", e.output).isEqualTo("ready");
        Thread drain = new Thread(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    e.output.add(l);
                }
            } catch (Exception ignored) {
                // the process ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return e;
    }

    /** The first output line starting with {@code prefix}, or null. */
    public String line(String prefix) {
        return output.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    }

    /** SIGTERM and wait: the shutdown hook runs (a clean stop). */
    public int stop() throws Exception {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("engine stops on SIGTERM").isTrue();
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, nothing flushed or marked. */
    public void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
    }
}
