package dev.lockstep.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Linux's per-thread scheduler accounting ({@code /proc/.../schedstat}: CPU time, time waiting on a
 * run queue, time slices run) of this JVM's threads, summed by thread name with the digits left out
 * ({@code GC Thread#0} and {@code GC Thread#1} are one group). A probe for {@link DocsCeiling}'s
 * {@code cpu} mode: what each kind of thread costs per batch. Threads that end between two
 * snapshots are lost to {@link #byGroup}; the benchmark's callers, which end with their slice, add
 * their own totals through {@link #callerDone}. Not thread-safe beyond that method.
 */
final class ThreadCpu {
  static final String CALLERS = "callers (docs-paired-*)";
  private static final long[] callers = new long[3];
  private static volatile boolean counting;

  private ThreadCpu() {}

  /** Starts counting callers from zero ({@link #callerDone} adds to it until {@link #stop}). */
  static void start() {
    synchronized (callers) {
      java.util.Arrays.fill(callers, 0);
    }
    counting = true;
  }

  static void stop() {
    counting = false;
  }

  /** A caller's thread, as it ends: adds its whole accounting to the callers' group. */
  static void callerDone() {
    if (!counting) {
      return;
    }
    long[] mine = read(Path.of("/proc/thread-self/schedstat"));
    synchronized (callers) {
      for (int i = 0; i < 3; i++) {
        callers[i] += mine[i];
      }
    }
  }

  /** The callers counted since {@link #start}. */
  static long[] callers() {
    synchronized (callers) {
      return callers.clone();
    }
  }

  /** Every live thread's CPU ns, run-queue wait ns and slices, summed by group. */
  static Map<String, long[]> byGroup() {
    Map<String, long[]> out = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        String name;
        long[] v;
        try {
          name = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII).strip();
          v = read(task.resolve("schedstat"));
        } catch (IOException | IllegalStateException e) {
          continue; // ended meanwhile
        }
        String group = name.replaceAll("[0-9#]", "");
        if (group.equals("docs-paired-")) {
          continue; // callers still ending: counted by callerDone, not twice
        }
        long[] sum = out.computeIfAbsent(group, k -> new long[3]);
        for (int i = 0; i < 3; i++) {
          sum[i] += v[i];
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** {@code after - before} per group (groups new in {@code after} count from zero). */
  static Map<String, long[]> minus(Map<String, long[]> after, Map<String, long[]> before) {
    Map<String, long[]> out = new TreeMap<>();
    after.forEach(
        (k, a) -> {
          long[] b = before.getOrDefault(k, new long[3]);
          out.put(k, new long[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]});
        });
    return out;
  }

  private static long[] read(Path schedstat) {
    try {
      String[] f = Files.readString(schedstat, StandardCharsets.US_ASCII).strip().split(" ");
      return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
