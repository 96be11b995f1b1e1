package dev.javelin.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * The training data as the barrier stage reads it: each row keyed by its partition and shuffled
 * into the partition of the same number. Spark refuses a barrier stage whose chain holds a union,
 * a coalesce or another change in the number of partitions (SPARK-24820), which a user's DataFrame
 * often does; after this shuffle the stage reads shuffle output only. The partitions and the order
 * of their rows stay as the user gave them, and a restarted stage reads the shuffle files instead
 * of recomputing the source.
 */
final class BarrierInput {
    private BarrierInput() {}

    static JavaRDD<Example> of(JavaRDD<Example> examples) {
        int partitions = examples.getNumPartitions();
        JavaRDD<Tuple2<Integer, Example>> keyed = examples.mapPartitionsWithIndex((index, rows) -> {
            List<Tuple2<Integer, Example>> out = new ArrayList<>();
            while (rows.hasNext()) out.add(new Tuple2<>(index, rows.next()));
            return out.iterator();
        }, true);
        return JavaPairRDD.fromJavaRDD(keyed).partitionBy(new SamePartition(partitions)).values();
    }

    /** Key i goes to partition i. */
    private static final class SamePartition extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        SamePartition(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SamePartition s && s.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }
}
