package dev.lockstep.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.doc.DocumentCodecs;
import dev.lockstep.doc.DocumentOptions;
import dev.lockstep.doc.DocumentStore;
import dev.lockstep.file.Durability;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The document store's CPU per update, without the disk's noise (no JMH, not a suite row): {@code
 * THREADS} platform threads bump {@code counter} of the {@code docs} suite's 4 KiB YAML document
 * for {@code SECONDS} per round, 4 rounds (the first one warms up and is not printed), and each
 * round prints the updates per second and the process's CPU time (every thread: JIT and GC
 * included) per update. With {@code NONE} (the default) nothing is fsynced, so what a round shows
 * is the store's own work and system calls; a change to the commit path is judged by running this
 * for the old jar and the new one alternately.
 *
 * <pre>
 * {@code java -cp lockstep-benchmarks.jar dev.lockstep.bench.DocsCpu [THREADS [DURABILITY [SECONDS]]]}
 * </pre>
 */
final class DocsCpu {
  private DocsCpu() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    Durability durability = args.length > 1 ? Durability.valueOf(args[1]) : Durability.NONE;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path dir = TempDirs.create("lockstep-docs-cpu");
    DocumentOptions options = DocumentOptions.defaults().withDurability(durability);
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(dir.resolve(LockstepDocWriter.FILE), DocumentCodecs.yaml(), options)) {
      store.createIfAbsent(LockstepDocWriter.initialDocument());
      for (int round = 0; round < 4; round++) {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder updates = new LongAdder();
        Thread[] workers = new Thread[threads];
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          workers[t] =
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          while (!stop.get()) {
                            LockstepDocWriter.increment(store);
                            updates.increment();
                          }
                        } catch (Exception e) {
                          throw new IllegalStateException(e);
                        }
                      });
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
          w.join();
        }
        double elapsed = System.nanoTime() - t0;
        long cpu = processCpuNanos() - cpu0;
        if (round > 0) {
          System.out.printf(
              "%d threads, %s: %.0f updates/s, %.1f us of CPU per update%n",
              threads, durability, updates.sum() * 1e9 / elapsed, cpu / 1e3 / updates.sum());
        }
      }
    } finally {
      TempDirs.delete(dir);
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
