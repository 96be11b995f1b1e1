package dev.javelin.spark;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.StepGradients;
import dev.javelin.highlevel.data.Batch;
import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import dev.javelin.tensor.Tensors;
import dev.javelin.tensor.Variable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The long-lived task of one worker in the barrier stage: reads its partition, meets the others
 * ({@code allGather} of {@code host:port}), joins the ring, and trains. Each step: the compiled
 * gradient step on the local batch; one all-reduce of [gradients, loss × rows, rows, metric
 * changes]; the gradients divided by the number of workers (every local batch has the same rows,
 * so this is the gradient of the loss averaged over the global batch); the compiled optimizer
 * update. Every worker applies the same update to the same weights, so they stay identical.
 * Worker 0 also reports progress to the driver, writes the checkpoints, and returns the model.
 */
final class TrainingWorker extends AbstractFunction1<scala.collection.Iterator<Example>, scala.collection.Iterator<byte[]>>
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Everything a worker needs, fixed on the driver for one attempt. */
    record Plan(Checkpoint start, int[] inputShape, DType labelType, int batchSize, int epochs, int stepsPerEpoch,
                int rowsPerEpoch, boolean shuffle, long seed, String checkpointDir, int checkpointEvery, int attempt,
                WorkerListener listener, String driverAddress, int timeoutMillis) implements Serializable {}

    private final Plan plan;

    TrainingWorker(Plan plan) {
        this.plan = plan;
    }

    @Override
    public scala.collection.Iterator<byte[]> apply(scala.collection.Iterator<Example> rows) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        Shard shard = Shard.read(CollectionConverters.asJava(rows), plan.inputShape(), plan.labelType());
        String address = ctx.getTaskInfos()[rank].address();
        String host = address.contains(":") ? address.substring(0, address.lastIndexOf(':')) : address;
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByName(host))) {
            String[] addresses = ctx.allGather(host + ":" + server.getLocalPort());
            try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, server, plan.timeoutMillis());
                 ProgressChannel.WorkerEnd progress = rank == 0 ? new ProgressChannel.WorkerEnd(plan.driverAddress(), plan.timeoutMillis()) : null) {
                byte[] model = train(rank, shard, ring, progress);
                List<byte[]> out = rank == 0 ? List.of(model) : List.of();
                return CollectionConverters.asScala(out.iterator());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("SparkTrainer worker " + rank + ": " + e.getMessage(), e);
        }
    }

    private byte[] train(int rank, Shard shard, RingAllReduce ring, ProgressChannel.WorkerEnd progress) throws IOException {
        int workers = ring.size();
        Model model = load(plan.start().model());
        offsetSeedStreams(model, rank);
        List<Variable> trainable = model.trainableVariables();
        int params = 0;
        for (Variable v : trainable) params += v.shape().sizeAsInt();
        long step = plan.start().step();
        double lossSum = plan.start().lossSum(), lossRows = plan.start().lossRows();
        float[] metrics = plan.start().metricState().length == 0 ? null : plan.start().metricState();
        int steps = plan.stepsPerEpoch();
        for (int epoch = (int) (step / steps); epoch < plan.epochs(); epoch++) {
            int first = (int) (step - (long) epoch * steps);
            if (first == 0) {
                model.resetMetrics();
                metrics = null;
                lossSum = 0;
                lossRows = 0;
                if (progress != null) progress.epochBegin(epoch);
            }
            int[] order = shard.order(plan.shuffle(), plan.seed(), epoch, rank);
            for (int s = first; s < steps; s++) {
                Batch batch = shard.batch(order, s * plan.batchSize(), Math.min((s + 1) * plan.batchSize(), plan.rowsPerEpoch()));
                // the metrics hold the global state before the step (zeros where the first step creates them); their
                // change in this step is this worker's contribution
                List<Variable> metricVars = model.metricVariables();
                boolean existed = !metricVars.isEmpty();
                if (existed) store(metricVars, metrics != null ? metrics : new float[count(metricVars)]);
                StepGradients g = model.computeGradients(batch);
                metricVars = model.metricVariables();
                float[] local = values(metricVars);
                float[] before = metrics != null ? metrics : new float[local.length];
                float[] held = existed ? before : new float[local.length];
                float[] buffer = new float[params + 2 + local.length];
                int at = 0;
                for (int i = 0; i < trainable.size(); i++) {
                    Tensor grad = g.gradients().get(i);
                    int n = trainable.get(i).shape().sizeAsInt();
                    if (grad != null) System.arraycopy(grad.toFloatArray(), 0, buffer, at, n);
                    at += n;
                }
                buffer[at++] = (float) (g.loss().item() * batch.size());
                buffer[at++] = batch.size();
                for (int i = 0; i < local.length; i++) buffer[at + i] = local[i] - held[i];
                ring.sum(buffer);
                List<Tensor> averaged = new ArrayList<>(trainable.size());
                at = 0;
                for (int i = 0; i < trainable.size(); i++) {
                    Variable v = trainable.get(i);
                    int n = v.shape().sizeAsInt();
                    if (g.gradients().get(i) == null) {
                        averaged.add(null);
                    } else {
                        float[] part = new float[n];
                        for (int k = 0; k < n; k++) part[k] = buffer[at + k] / workers;
                        averaged.add(Tensors.of(part, v.shape().toArray()));
                    }
                    at += n;
                }
                model.applyGradients(averaged);
                lossSum += buffer[at++];
                lossRows += buffer[at++];
                metrics = new float[local.length];
                for (int i = 0; i < local.length; i++) metrics[i] = before[i] + buffer[at + i];
                store(metricVars, metrics);
                step++;
                boolean epochDone = s == steps - 1;
                if (rank == 0 && plan.checkpointDir() != null && (step % plan.checkpointEvery() == 0 || epochDone)) {
                    new Checkpoint(step, save(model), epochDone ? 0 : lossSum, epochDone ? 0 : lossRows,
                            epochDone ? new float[0] : metrics.clone()).write(plan.checkpointDir());
                }
                if (progress != null) progress.batchEnd(epoch, s, logs(model, lossSum, lossRows));
                if (plan.listener() != null) plan.listener().onStepEnd(rank, plan.attempt(), step - 1);
            }
            boolean stop = progress != null && progress.epochEnd(epoch, logs(model, lossSum, lossRows));
            float[] flag = {stop ? 1 : 0};
            ring.sum(flag); // worker 0's answer reaches every worker, so all stop together
            if (flag[0] != 0) break;
        }
        return rank == 0 ? save(model) : null;
    }

    private static Map<String, Double> logs(Model model, double lossSum, double lossRows) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", lossRows == 0 ? Double.NaN : lossSum / lossRows);
        logs.putAll(model.metricResults());
        return logs;
    }

    /**
     * Worker {@code r} draws its random numbers (dropout) from the streams of worker 0 shifted by
     * {@code r * 2^32} draws: different masks on every worker, and a restart rebuilds each worker's
     * stream from worker 0's checkpointed state, as an uninterrupted run has it.
     */
    private static void offsetSeedStreams(Model model, int rank) {
        if (rank == 0) return;
        for (Variable state : model.seedStates()) {
            state.store(Tensors.of(new long[] {state.stored().toLongArray()[0] + ((long) rank << 32)}, new int[0]));
        }
    }

    private static int count(List<Variable> vars) {
        int n = 0;
        for (Variable v : vars) n += v.shape().sizeAsInt();
        return n;
    }

    private static float[] values(List<Variable> vars) {
        float[] out = new float[count(vars)];
        int at = 0;
        for (Variable v : vars) {
            float[] f = v.stored().cast(DType.FLOAT32).toFloatArray();
            System.arraycopy(f, 0, out, at, f.length);
            at += f.length;
        }
        return out;
    }

    private static void store(List<Variable> vars, float[] values) {
        int at = 0;
        for (Variable v : vars) {
            int n = v.shape().sizeAsInt();
            float[] part = new float[n];
            System.arraycopy(values, at, part, 0, n);
            v.store(Tensors.of(part, v.shape().toArray()).cast(v.dtype()));
            at += n;
        }
    }

    static Model load(byte[] file) throws IOException {
        Path tmp = Files.createTempFile("javelin-spark-", ".javelin");
        try {
            Files.write(tmp, file);
            return Model.load(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static byte[] save(Model model) throws IOException {
        Path tmp = Files.createTempFile("javelin-spark-", ".javelin");
        try {
            model.save(tmp);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
