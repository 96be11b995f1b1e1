package dev.javelin.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Worker 0's line to the driver: the epoch and batch events that drive the callbacks on the
 * driver, and the driver's answer at each epoch's end (stop or go on, as EarlyStopping decides).
 * One connection per attempt of the job; the driver's side accepts them one after another.
 */
final class ProgressChannel {
    static final byte EPOCH_BEGIN = 1, BATCH_END = 2, EPOCH_END = 3;

    private ProgressChannel() {}

    /** What the driver does with the events. */
    interface Listener {
        void epochBegin(int epoch);

        void batchEnd(int epoch, int step, Map<String, Double> logs);

        /** @return true to stop training after this epoch */
        boolean epochEnd(int epoch, Map<String, Double> logs);
    }

    /** The driver's end: a server socket and a thread that hands each event to the listener. */
    static final class DriverEnd implements Closeable {
        private final ServerSocket server;
        private final Thread reader;
        private volatile Throwable failure;

        DriverEnd(String host, Listener listener) throws IOException {
            server = new ServerSocket(0, 4, InetAddress.getByName(host));
            reader = Thread.ofPlatform().daemon().name("javelin-spark-progress").start(() -> serve(listener));
        }

        /** {@code host:port} for worker 0 to connect to. */
        String address() {
            return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
        }

        private void serve(Listener listener) {
            while (!server.isClosed()) {
                try (Socket s = server.accept();
                     DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                     DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                    while (true) {
                        byte kind = in.readByte();
                        int epoch = in.readInt();
                        switch (kind) {
                            case EPOCH_BEGIN -> listener.epochBegin(epoch);
                            case BATCH_END -> {
                                int step = in.readInt();
                                listener.batchEnd(epoch, step, readLogs(in));
                            }
                            case EPOCH_END -> {
                                boolean stop = listener.epochEnd(epoch, readLogs(in));
                                out.writeBoolean(stop);
                                out.flush();
                            }
                            default -> throw new IOException("SparkTrainer: unknown progress message " + kind);
                        }
                    }
                } catch (EOFException | SocketException endOfAttempt) {
                    // the worker finished or failed; the next attempt connects again
                } catch (IOException | RuntimeException | Error e) {
                    failure = e; // a callback failed: reported when fit ends
                }
            }
        }

        /** A callback's failure, or null. */
        Throwable failure() {
            return failure;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Worker 0's end. */
    static final class WorkerEnd implements Closeable {
        private final Socket socket;
        private final DataOutputStream out;
        private final DataInputStream in;

        WorkerEnd(String driverAddress, int timeoutMillis) throws IOException {
            int colon = driverAddress.lastIndexOf(':');
            socket = new Socket();
            socket.connect(new InetSocketAddress(driverAddress.substring(0, colon), Integer.parseInt(driverAddress.substring(colon + 1))),
                    timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            in = new DataInputStream(socket.getInputStream());
        }

        void epochBegin(int epoch) throws IOException {
            out.writeByte(EPOCH_BEGIN);
            out.writeInt(epoch);
            out.flush();
        }

        void batchEnd(int epoch, int step, Map<String, Double> logs) throws IOException {
            out.writeByte(BATCH_END);
            out.writeInt(epoch);
            out.writeInt(step);
            writeLogs(logs);
            out.flush();
        }

        /** Sends the epoch's logs and waits for the driver's callbacks: true when they ask to stop. */
        boolean epochEnd(int epoch, Map<String, Double> logs) throws IOException {
            out.writeByte(EPOCH_END);
            out.writeInt(epoch);
            writeLogs(logs);
            out.flush();
            return in.readBoolean();
        }

        private void writeLogs(Map<String, Double> logs) throws IOException {
            out.writeInt(logs.size());
            for (Map.Entry<String, Double> e : logs.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeDouble(e.getValue());
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Map<String, Double> readLogs(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, Double> logs = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) logs.put(in.readUTF(), in.readDouble());
        return logs;
    }
}
