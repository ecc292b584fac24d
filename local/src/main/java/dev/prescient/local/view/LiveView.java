package dev.prescient.local.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prescient.local.runtime.ScenarioRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** The live view: one HTML page (no external assets) polling /api/state, served on a loopback port. */
public final class LiveView implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;

    public LiveView(int port, Supplier<ScenarioRunner> runner) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "live-view");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/api/state", ex -> {
            ScenarioRunner r = runner.get();
            byte[] body = r == null ? "{\"starting\":true}".getBytes()
                    : JSON.writeValueAsBytes(StateSnapshot.of(r));
            send(ex, 200, "application/json", body);
        });
        server.createContext("/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/")) {
                send(ex, 404, "text/plain", "not found".getBytes());
                return;
            }
            try (InputStream in = LiveView.class.getResourceAsStream("/dev/prescient/local/view.html")) {
                send(ex, 200, "text/html; charset=utf-8", in.readAllBytes());
            }
        });
        server.start();
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
