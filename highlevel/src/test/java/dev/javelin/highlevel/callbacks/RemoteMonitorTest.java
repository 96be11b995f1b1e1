package dev.javelin.highlevel.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** RemoteMonitor posts what Keras posts, read back by a one-request HTTP server written here; a dead server does not stop training. */
class RemoteMonitorTest {
    /** Accepts one connection, answers 200, and returns the request line, headers and body. */
    private static CompletableFuture<List<String>> serveOnce(ServerSocket server) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                List<String> lines = new ArrayList<>();
                int length = 0;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    lines.add(line);
                    if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
                }
                char[] body = new char[length];
                int read = 0;
                while (read < length) read += in.read(body, read, length - read);
                lines.add(new String(body));
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return lines;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void postsTheEpochLogsAsAFormFieldOrAsJson() throws Exception {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", 0.25);
        logs.put("accuracy", 0.875);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String root = "http://127.0.0.1:" + server.getLocalPort();
            CompletableFuture<List<String>> request = serveOnce(server);
            new RemoteMonitor(root, "/publish/epoch/end/", "data", Map.of("X-Run", "7"), false).onEpochEnd(3, logs);
            List<String> got = request.get();
            assertEquals("POST /publish/epoch/end/ HTTP/1.1", got.get(0));
            assertTrue(got.contains("X-Run: 7"), got.toString());
            String body = got.get(got.size() - 1);
            assertTrue(body.startsWith("data="), body);
            assertEquals(Map.of("epoch", 3L, "loss", 0.25, "accuracy", 0.875),
                    Json.parseObject(URLDecoder.decode(body.substring(5), StandardCharsets.UTF_8)));

            request = serveOnce(server);
            new RemoteMonitor(root, "/json", "data", Map.of(), true).onEpochEnd(0, logs);
            got = request.get();
            assertTrue(got.stream().anyMatch(l -> l.equalsIgnoreCase("Content-Type: application/json")), got.toString());
            assertEquals(0L, Json.parseObject(got.get(got.size() - 1)).get("epoch"));
        }
    }

    @Test
    void anUnreachableServerOnlyWarns() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        new RemoteMonitor("http://127.0.0.1:" + port, "/x", "data", Map.of(), false).onEpochEnd(1, Map.of("loss", 1.0));
    }
}
