package dev.javelin.highlevel.callbacks;

import dev.javelin.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Posts each epoch's logs to a server, as Keras's RemoteMonitor: {@code {"epoch": n, ...logs}} as
 * JSON, either as the form field {@code field} (Keras's default) or, with {@code sendAsJson}, as the
 * request body. A server that cannot be reached is warned about once per failure on stderr; training
 * goes on, as in Keras.
 *
 * <pre>{@code
 * new RemoteMonitor("http://localhost:9000", "/publish/epoch/end/", "data", Map.of(), false)
 * }</pre>
 */
public final class RemoteMonitor extends Callback {
    private static final int TIMEOUT_MS = 5000;
    private final String root;
    private final String path;
    private final String field;
    private final Map<String, String> headers;
    private final boolean sendAsJson;

    /** Keras's defaults: {@code http://localhost:9000}, path {@code /publish/epoch/end/}, form field {@code data}. */
    public RemoteMonitor() {
        this("http://localhost:9000", "/publish/epoch/end/", "data", Map.of(), false);
    }

    public RemoteMonitor(String root, String path, String field, Map<String, String> headers, boolean sendAsJson) {
        this.root = root;
        this.path = path;
        this.field = field;
        this.headers = Map.copyOf(headers);
        this.sendAsJson = sendAsJson;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Map<String, Object> send = new LinkedHashMap<>();
        send.put("epoch", epoch);
        send.putAll(logs);
        String json = Json.write(send);
        byte[] body = (sendAsJson ? json : field + "=" + URLEncoder.encode(json, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(root + path).toURL().openConnection();
            c.setRequestMethod("POST");
            c.setConnectTimeout(TIMEOUT_MS);
            c.setReadTimeout(TIMEOUT_MS);
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", sendAsJson ? "application/json" : "application/x-www-form-urlencoded");
            headers.forEach(c::setRequestProperty);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            c.disconnect();
            if (status >= 400) System.err.println("RemoteMonitor: " + root + path + " answered HTTP " + status + " for epoch " + epoch);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("RemoteMonitor: could not reach the server at " + root + path + " (" + e + "); training goes on");
        }
    }
}
