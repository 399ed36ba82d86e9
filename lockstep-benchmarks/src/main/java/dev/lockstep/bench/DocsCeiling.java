package dev.lockstep.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.doc.DocumentCodec;
import dev.lockstep.doc.DocumentCodecs;
import dev.lockstep.doc.DocumentOptions;
import dev.lockstep.doc.DocumentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A probe of the ceiling of group commit on this disk (issue 10 §6, session 16), run by hand:
 * {@code java -cp lockstep-benchmarks.jar dev.lockstep.bench.DocsCeiling [rounds [warm-up seconds
 * [timed|cpu]]]} (default 12 rounds, 10 s). Not part of a suite; a main class only, single-use,
 * each slice's threads its own. {@code cpu} is {@code timed} plus, for the lockstep and floor-8t
 * slices, every thread group's CPU per batch ({@link ThreadCpu}) and the batch's period cut at its
 * syncs ({@link Phases}).
 *
 * <p>After Lockstep's usual warm-up, each round runs five adjacent one-second slices in an order
 * that rotates from round to round (as {@link DocsPaired} does), each on its own directory of the
 * same file system:
 *
 * <ol>
 *   <li>{@code peer}: the suite's own {@code fsync-rename} (4 KiB), one thread;
 *   <li>{@code floor}: one thread issuing the file-system calls of one Lockstep batch of 8 commits
 *       (as strace shows them) with no work between them: the file lock (fcntl here, flock there)
 *       and the document's load (stats, a read), the spare's checks (a stat, Lockstep's own lease
 *       check) and rewrite (4 KiB: open, pwrite, fsync, close), the lock's check, the rotation of
 *       three backups (three renames and a link), the rename over the document, the lock's check,
 *       then the directory's fsync on a second thread beside an append of 8 log lines (8 x 300 B,
 *       one pwrite) and its fdatasync; then the next batch;
 *   <li>{@code overlap}: the same calls (but the file lock, which a JVM with two batches in flight
 *       would keep) with two batches in flight, on two threads taking alternate batches: batch N+1
 *       loads and rewrites and fsyncs its spare while batch N waits for its directory fsync and log
 *       fdatasync; N+1's rotation and rename wait until N's syncs returned. Batch N+1 rewrites the
 *       spare that batch N-1 freed (durable by then), never N's;
 *   <li>{@code lockstep}: the suite's {@code lockstep} writer with 8 threads (with {@code timed} as
 *       third argument, on files that time its syncs: {@link #timedLockstep});
 *   <li>{@code floor-8t}: the floor's batches behind a plain group commit of 8 synchronous callers
 *       ({@link Grouped}): Lockstep without the document work.
 * </ol>
 *
 * <p>Per slice it records the rate, every sync's latency and {@code /proc/diskstats} (writes,
 * flushes, busy time) of the file system's device ({@code -Ddocs.ceiling.device}, default {@code
 * vda}), and in {@code overlap} whether each spare fsync ran beside the previous batch's tail syncs
 * and how far apart they returned. The summary pools the slices by the disk's state in their round
 * (fast: the peer above 1,000/s) and gives the ceilings: 8 x floor / peer for today's design, 4 x
 * overlap / peer for two batches in flight with 8 callers split 4 + 4.
 */
public final class DocsCeiling {
  private static final int COMMITS_PER_BATCH = 8;
  private static final int LINE_BYTES = 300;
  private static final int BACKUPS = 3;
  private static final String[] KINDS = {"peer", "floor", "overlap", "lockstep", "floor-8t"};

  private DocsCeiling() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    long warm = (args.length > 1 ? Long.parseLong(args[1]) : 10) * 1_000_000_000L;
    boolean cpu = args.length > 2 && args[2].equals("cpu"); // timed, with threads' CPU and phases
    boolean timed = cpu || args.length > 2 && args[2].equals("timed");
    long slice = 1_000_000_000L;
    Path root = TempDirs.create("docs-ceiling");
    Stats[] fast = new Stats[KINDS.length];
    Stats[] slow = new Stats[KINDS.length];
    for (int k = 0; k < KINDS.length; k++) {
      fast[k] = new Stats();
      slow[k] = new Stats();
    }
    AtomicReference<Stats> lockstepSyncs = new AtomicReference<>(new Stats());
    try (DocWriter mine =
            timed
                ? timedLockstep(mkdir(root, "lockstep"), lockstepSyncs)
                : DocsBenchmark.create("lockstep", mkdir(root, "lockstep"));
        DocWriter peer = DocsBenchmark.create("fsync-rename", mkdir(root, "peer"));
        Floor floor = new Floor(mkdir(root, "floor"));
        Floor overlap = new Floor(mkdir(root, "overlap"));
        Floor groupedFloor = new Floor(mkdir(root, "grouped"), GROUPED_PHASES)) {
      Grouped grouped = new Grouped(groupedFloor);
      System.out.println(
          "docs ceiling: warming up, then "
              + rounds
              + " rounds of 5 x 1 s (peer fsync-rename, floor, overlap, lockstep 8t, floor 8t)");
      DocsPaired.rate(mine, 8, warm);
      DocsPaired.rate(peer, 1, slice);
      floor.runSerial(slice, new Stats());
      overlap.runOverlapped(slice, new Stats());
      Stats warmGrouped = new Stats();
      DocsPaired.rate(() -> grouped.submit(warmGrouped), 8, slice);
      for (int r = 0; r < rounds; r++) {
        Stats[] round = new Stats[KINDS.length];
        for (int i = 0; i < KINDS.length; i++) {
          int which = (i + r) % KINDS.length;
          Stats s = new Stats();
          boolean counting = cpu && which >= 3;
          Map<String, long[]> cpuBefore = counting ? ThreadCpu.byGroup() : Map.of();
          if (counting) {
            ThreadCpu.start();
          }
          long[] before = disk();
          long t0 = System.nanoTime();
          switch (which) {
            case 0 -> s.ops = timedPeer(peer, slice, s);
            case 1 -> floor.runSerial(slice, s);
            case 2 -> overlap.runOverlapped(slice, s);
            case 3 -> {
              lockstepSyncs.set(s);
              s.ops = DocsPaired.rate(mine, 8, slice);
              lockstepSyncs.set(new Stats());
            }
            default ->
                s.ops =
                    DocsPaired.rate(
                        () -> {
                          GROUPED_PHASES.arrive(System.nanoTime());
                          grouped.submit(s);
                        },
                        8,
                        slice);
          }
          s.seconds = (System.nanoTime() - t0) / 1e9;
          if (counting) {
            ThreadCpu.stop();
            s.cpu.putAll(ThreadCpu.minus(ThreadCpu.byGroup(), cpuBefore));
            s.cpu.put(ThreadCpu.CALLERS, ThreadCpu.callers());
            if (which == 3) {
              Samples dirSyncs = s.syncs.get(DIR_SYNC);
              s.batches = dirSyncs == null ? 0 : dirSyncs.size; // one directory fsync per batch
            }
          }
          if (which >= 3) {
            s.ops *= s.seconds; // rate() gave updates per second
          }
          s.disk(before, disk());
          round[which] = s;
        }
        double peerRate = round[0].rate();
        boolean isFast = peerRate > 1000;
        for (int k = 0; k < KINDS.length; k++) {
          round[k].peerRate = peerRate;
          (isFast ? fast : slow)[k].add(round[k]);
        }
        System.out.printf(
            Locale.ROOT,
            "round %2d %s: peer %5.0f/s | floor %5.0f b/s x8 %5.0f (%.2fx) | overlap %5.0f b/s"
                + " x4 %5.0f (%.2fx) x8 %5.0f (%.2fx) | lockstep-8t %5.0f/s (%.2fx) | floor-8t"
                + " %5.0f/s (%.2fx)%n",
            r + 1,
            isFast ? "FAST" : "slow",
            peerRate,
            round[1].rate(),
            8 * round[1].rate(),
            8 * round[1].rate() / peerRate,
            round[2].rate(),
            4 * round[2].rate(),
            4 * round[2].rate() / peerRate,
            8 * round[2].rate(),
            8 * round[2].rate() / peerRate,
            round[3].rate(),
            round[3].rate() / peerRate,
            round[4].rate(),
            round[4].rate() / peerRate);
      }
    } finally {
      TempDirs.delete(root);
    }
    summary("FAST (peer > 1,000/s)", fast);
    summary("slow (peer <= 1,000/s)", slow);
  }

  private static void summary(String state, Stats[] kinds) {
    if (kinds[0].slices == 0) {
      System.out.println(state + ": no rounds");
      return;
    }
    System.out.printf(Locale.ROOT, "%n%s, %d rounds:%n", state, kinds[0].slices);
    for (int k = 0; k < KINDS.length; k++) {
      Stats s = kinds[k];
      System.out.printf(
          Locale.ROOT,
          "  %-8s %6.0f ops/s (mean of slices; ratio of adjacent slices %.3f, per op: writes"
              + " %.2f flushes %.2f busy %.0f us, idle %.0f us)%n",
          KINDS[k],
          s.rateSum / s.slices,
          s.ratioSum / s.slices,
          s.writes / s.opsSum,
          s.flushes / s.opsSum,
          s.busyMs * 1000 / s.opsSum,
          (s.secondsSum * 1000 - s.busyMs) * 1000 / s.opsSum);
      s.printSyncs();
      if (s.batches > 0 && s.batched > 0) {
        System.out.printf(
            Locale.ROOT, "           commits per batch %.2f%n", (double) s.batched / s.batches);
      }
      printCpu(s);
      if (s.pairs > 0) {
        System.out.printf(
            Locale.ROOT,
            "           temp fsync beside the previous batch's tail: %.1f %% of batches; returned"
                + " within 50 us of it: %.1f %%%n",
            100.0 * s.beside / s.pairs,
            100.0 * s.together / s.pairs);
      }
    }
    Stats p = kinds[0];
    Stats f = kinds[1];
    Stats o = kinds[2];
    Stats l = kinds[3];
    Stats g = kinds[4];
    double peer = p.rateSum / p.slices;
    System.out.printf(
        Locale.ROOT,
        "  ceilings: today's design 8 x floor / peer = %.2fx; two batches in flight 4 x overlap"
            + " / peer = %.2fx (8 x = %.2fx); lockstep 8t now %.2fx; the floor behind 8 callers"
            + " %.2fx%n",
        8 * f.rateSum / f.slices / peer,
        4 * o.rateSum / o.slices / peer,
        8 * o.rateSum / o.slices / peer,
        l.rateSum / l.slices / peer,
        g.rateSum / g.slices / peer);
  }

  /** cpu mode: each thread group's CPU, run-queue wait and slices per batch, busiest first. */
  private static void printCpu(Stats s) {
    if (s.cpu.isEmpty() || s.batches == 0) {
      return;
    }
    double b = s.batches;
    long[] total = new long[3];
    s.cpu.entrySet().stream()
        .sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
        .forEach(
            e -> {
              long[] v = e.getValue();
              for (int i = 0; i < 3; i++) {
                total[i] += v[i];
              }
              if (v[0] / b >= 1000) {
                System.out.printf(
                    Locale.ROOT,
                    "           cpu %-26s %6.1f us/batch, run-queue wait %6.1f us, slices %5.2f%n",
                    e.getKey(),
                    v[0] / b / 1e3,
                    v[1] / b / 1e3,
                    v[2] / b);
              }
            });
    System.out.printf(
        Locale.ROOT,
        "           cpu %-26s %6.1f us/batch, run-queue wait %6.1f us, slices %5.2f (%d batches)%n",
        "all threads",
        total[0] / b / 1e3,
        total[1] / b / 1e3,
        total[2] / b,
        s.batches);
  }

  /**
   * A batch's period cut at its syncs, timed on whichever threads run them: (a) the spare's whole
   * rewrite (checks, pwrite, fsync); (b) from its return to the first tail sync's start (rotation,
   * renames, the log lines); (c) the tail, until both syncs returned; (d) from there to the next
   * batch's spare rewrite (answering the callers, the next leader's drain, lock, load, operators
   * and encoding). One per writer; its marks go into the stats of the slice running.
   */
  private static final class Phases {
    private final boolean on;
    private long rewriteEnd;
    private long tailStart;
    private long tailEnd;
    private long loadStart;
    private long lastArrival;
    private int tailOpen;

    Phases(boolean on) {
      this.on = on;
    }

    synchronized void rewriteStart(long t, Stats s) {
      if (on && tailEnd != 0) {
        s.sample("phase d: tail end -> rewrite", t - tailEnd);
        if (lastArrival != 0) {
          s.sample("  d0: tail end -> last caller", lastArrival - tailEnd);
        }
        if (loadStart != 0) {
          s.sample("  d1: tail end -> load", loadStart - tailEnd);
          s.sample("  d2: load -> rewrite", t - loadStart);
        }
        tailEnd = 0;
        loadStart = 0;
        lastArrival = 0;
      }
    }

    /** A caller's commit starting: the last one between the tail's end and the rewrite is kept. */
    synchronized void arrive(long t) {
      if (on && tailEnd != 0) {
        lastArrival = t;
      }
    }

    /** Lockstep's document read (under the file lock): splits phase d at it. */
    synchronized void loadStart(long t) {
      if (on && tailEnd != 0 && loadStart == 0) {
        loadStart = t;
      }
    }

    synchronized void rewriteEnd(long t) {
      rewriteEnd = t;
    }

    synchronized void syncStart(long t, Stats s) {
      if (on && tailOpen++ == 0) {
        tailStart = t;
        if (rewriteEnd != 0) {
          s.sample("phase b: rewrite -> tail", t - rewriteEnd);
          rewriteEnd = 0;
        }
      }
    }

    synchronized void syncEnd(long t, Stats s) {
      if (on && --tailOpen == 0) {
        tailEnd = t;
        s.sample("phase c: tail (both syncs)", t - tailStart);
      }
    }
  }

  private static final Phases LOCKSTEP_PHASES = new Phases(true);
  private static final Phases GROUPED_PHASES = new Phases(true);
  private static final String DIR_SYNC = "dir fsync (open..close)";

  /**
   * The suite's {@code lockstep} writer on a {@code DocumentFiles} that times its syncs into the
   * current slice's stats: the spare's whole rewrite (its checks, pwrite, fsync), the directory's
   * fsync (open, fsync, close), the log's fdatasync and each rename. Reflection: the store's files
   * are package-private; a probe-only view, the suite uses {@link LockstepDocWriter}.
   */
  @SuppressWarnings("unchecked")
  private static DocWriter timedLockstep(Path dir, AtomicReference<Stats> into) throws Exception {
    Class<?> filesType = Class.forName("dev.lockstep.doc.DocumentFiles");
    Class<?> appendType = Class.forName("dev.lockstep.doc.DocumentFiles$AppendFile");
    Field realField = filesType.getField("REAL");
    realField.setAccessible(true);
    Object real = realField.get(null);
    Object timedFiles =
        Proxy.newProxyInstance(
            filesType.getClassLoader(),
            new Class<?>[] {filesType},
            (proxy, method, a) -> {
              Object result = timedCall(real, method, a, into);
              if (method.getName().equals("openAppend")) {
                Object log = result;
                return Proxy.newProxyInstance(
                    appendType.getClassLoader(),
                    new Class<?>[] {appendType},
                    (p2, m2, a2) -> timedCall(log, m2, a2, into));
              }
              return result;
            });
    Method open =
        Class.forName("dev.lockstep.doc.FileDocumentStore")
            .getDeclaredMethod(
                "open", Path.class, DocumentCodec.class, DocumentOptions.class, filesType);
    open.setAccessible(true);
    DocumentStore<ObjectNode> store =
        (DocumentStore<ObjectNode>)
            open.invoke(
                null,
                dir.resolve(LockstepDocWriter.FILE),
                DocumentCodecs.yaml(),
                DocumentOptions.defaults(),
                timedFiles);
    store.createIfAbsent(LockstepDocWriter.initialDocument());
    return new DocWriter() {
      @Override
      public void update() throws Exception {
        LOCKSTEP_PHASES.arrive(System.nanoTime());
        LockstepDocWriter.increment(store);
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }

  private static final Set<String> TIMED = Set.of("rewrite", "syncDirectory", "sync", "rename");

  private static Object timedCall(
      Object target, Method method, Object[] args, AtomicReference<Stats> into) throws Throwable {
    method.setAccessible(true);
    String called = method.getName();
    boolean isSync = called.equals("syncDirectory") || called.equals("sync");
    long t = System.nanoTime();
    if (called.equals("rewrite")) {
      LOCKSTEP_PHASES.rewriteStart(t, into.get());
    } else if (called.equals("readWithPermissions")) {
      LOCKSTEP_PHASES.loadStart(t);
    } else if (isSync) {
      LOCKSTEP_PHASES.syncStart(t, into.get());
    }
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } finally {
      long end = System.nanoTime();
      if (called.equals("rewrite")) {
        LOCKSTEP_PHASES.rewriteEnd(end);
      } else if (isSync) {
        LOCKSTEP_PHASES.syncEnd(end, into.get());
      }
      if (TIMED.contains(method.getName())) {
        String name =
            switch (method.getName()) {
              case "rewrite" -> "spare rewrite (all of it)";
              case "syncDirectory" -> DIR_SYNC;
              case "sync" -> "log fdatasync";
              default -> "rename";
            };
        into.get().sample(name, end - t);
      }
    }
  }

  private static Path mkdir(Path root, String name) throws IOException {
    return Files.createDirectory(root.resolve(name));
  }

  /** The peer's updates for {@code nanos}, with each of them timed (its two syncs inside). */
  private static double timedPeer(DocWriter peer, long nanos, Stats s) throws Exception {
    long deadline = System.nanoTime() + nanos;
    long n = 0;
    while (System.nanoTime() < deadline) {
      long t = System.nanoTime();
      peer.update();
      s.sample("update", System.nanoTime() - t);
      n++;
    }
    return n;
  }

  /** {@code /proc/diskstats} of the device holding java.io.tmpdir: writes, flushes, busy ms. */
  private static long[] disk() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/diskstats"))) {
      String[] f = line.trim().split("\\s+");
      if (f[2].equals(DEVICE) && f.length > 18) {
        return new long[] {Long.parseLong(f[7]), Long.parseLong(f[18]), Long.parseLong(f[12])};
      }
    }
    return new long[3];
  }

  /** Lockstep's lease check ({@code OpenFileCheck.openNowhereElse}), package-private there. */
  private static final Method LEASE_CHECK = leaseCheck();

  private static Method leaseCheck() {
    try {
      Method m =
          Class.forName("dev.lockstep.doc.OpenFileCheck")
              .getDeclaredMethod("openNowhereElse", Path.class);
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String DEVICE = System.getProperty("docs.ceiling.device", "vda");

  /** One slice's (or a state's pooled) numbers. */
  private static final class Stats {
    double ops;
    double seconds;
    double peerRate;
    long writes;
    long flushes;
    long busyMs;
    int slices;
    double rateSum;
    double ratioSum;
    double opsSum;
    double secondsSum;
    long pairs; // overlap: batches after the first
    long beside; // ... whose temp fsync ran beside the previous batch's tail syncs
    long together; // ... and returned within 50 us of them
    long batches; // floor-8t: batches run
    long batched; // ... and the commits they took
    final Map<String, long[]> cpu = new java.util.TreeMap<>(); // cpu mode: ThreadCpu groups
    final Map<String, Samples> syncs = new LinkedHashMap<>();

    double rate() {
      return ops / seconds;
    }

    void disk(long[] before, long[] after) {
      writes = after[0] - before[0];
      flushes = after[1] - before[1];
      busyMs = after[2] - before[2];
    }

    synchronized void countBatch(int commits) {
      batches++;
      batched += commits;
    }

    synchronized void sample(String name, long nanos) {
      syncs.computeIfAbsent(name, x -> new Samples()).add(nanos);
    }

    void add(Stats slice) {
      slices++;
      rateSum += slice.rate();
      ratioSum += slice.rate() / slice.peerRate;
      opsSum += slice.ops;
      secondsSum += slice.seconds;
      writes += slice.writes;
      flushes += slice.flushes;
      busyMs += slice.busyMs;
      pairs += slice.pairs;
      beside += slice.beside;
      together += slice.together;
      batches += slice.batches;
      batched += slice.batched;
      slice.cpu.forEach(
          (k, v) -> {
            long[] sum = cpu.computeIfAbsent(k, x -> new long[3]);
            for (int i = 0; i < 3; i++) {
              sum[i] += v[i];
            }
          });
      slice.syncs.forEach((k, v) -> syncs.computeIfAbsent(k, x -> new Samples()).addAll(v));
    }

    void printSyncs() {
      syncs.forEach(
          (name, v) ->
              System.out.printf(
                  Locale.ROOT,
                  "           %-26s p10 %5.0f p50 %5.0f p90 %5.0f us (n %d)%n",
                  name,
                  v.percentile(0.1) / 1e3,
                  v.percentile(0.5) / 1e3,
                  v.percentile(0.9) / 1e3,
                  v.size));
    }
  }

  /** A growable list of longs. */
  private static final class Samples {
    long[] values = new long[1024];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    void addAll(Samples other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i]);
      }
    }

    double percentile(double p) {
      if (size == 0) {
        return Double.NaN;
      }
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      return sorted[(int) Math.min(size - 1, Math.floor(p * size))];
    }
  }

  /**
   * The file-system calls of Lockstep's batches on one directory: a document with three backups, a
   * change log, and spares (former oldest backups) rewritten as temp files.
   */
  private static final class Floor implements AutoCloseable {
    private final Path dir;
    private final Path doc;
    private final byte[] content;
    private final ByteBuffer lines;
    private final FileChannel log;
    private final Path logFile;
    private final Path lockFile;
    private final FileChannel lockChannel; // kept open, as Lockstep keeps its lock file open
    private long logSize;
    private final ArrayDeque<Path> spares = new ArrayDeque<>(); // freed by durable batches
    private final ExecutorService[] helpers = {
      Executors.newSingleThreadExecutor(r -> new Thread(r, "floor-helper")),
      Executors.newSingleThreadExecutor(r -> new Thread(r, "floor-helper"))
    };
    private final Phases phases; // floor-8t's, in cpu mode; a throwaway one otherwise
    private int names;

    Floor(Path dir) throws IOException {
      this(dir, new Phases(false));
    }

    Floor(Path dir, Phases phases) throws IOException {
      this.dir = dir;
      this.phases = phases;
      this.doc = dir.resolve("state.yaml");
      this.content = DocWriter.initialYaml().getBytes(StandardCharsets.UTF_8);
      byte[] batch = new byte[COMMITS_PER_BATCH * LINE_BYTES];
      Arrays.fill(batch, (byte) 'x');
      for (int i = LINE_BYTES - 1; i < batch.length; i += LINE_BYTES) {
        batch[i] = '\n';
      }
      this.lines = ByteBuffer.wrap(batch);
      Files.write(doc, content);
      for (int i = 1; i <= BACKUPS; i++) {
        Files.write(backup(i), content);
      }
      for (int i = 0; i < 2; i++) {
        Path s = newSpare();
        Files.write(s, content);
        spares.add(s);
      }
      this.lockFile = Files.createFile(dir.resolve("state.yaml.lock"));
      this.lockChannel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
      this.logFile = dir.resolve("state.yaml.changes.jsonl");
      this.log = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    private Path backup(int n) {
      return dir.resolve("state.yaml.backup." + n);
    }

    private Path newSpare() {
      return dir.resolve(".state.yaml.spare-" + (names++));
    }

    /** Rewrites a spare in place and fsyncs it on the writing descriptor, as a batch does. */
    private void writeTemp(Path temp, Stats s) throws IOException {
      long t0 = System.nanoTime();
      phases.rewriteStart(t0, s);
      try {
        writeTemp0(temp, s);
      } finally {
        long end = System.nanoTime();
        phases.rewriteEnd(end);
        s.sample("spare rewrite (all of it)", end - t0);
      }
    }

    private void writeTemp0(Path temp, Stats s) throws IOException {
      Files.readAttributes(temp, "unix:mode,nlink,uid,size", LinkOption.NOFOLLOW_LINKS);
      long t0 = System.nanoTime();
      openNowhereElse(temp);
      s.sample("lease check", System.nanoTime() - t0);
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b, b.position());
        }
        long t = System.nanoTime();
        ch.force(true);
        s.sample("temp fsync", System.nanoTime() - t);
      }
    }

    /** Rotates the backups and renames {@code temp} over the document; returns the freed file. */
    private Path rotateAndRename(Path temp, Stats s) throws IOException {
      Files.readAttributes(lockFile, BasicFileAttributes.class); // the lock's check
      Path freed = newSpare();
      move(backup(BACKUPS), freed, s);
      for (int i = BACKUPS - 1; i >= 1; i--) {
        move(backup(i), backup(i + 1), s);
      }
      Files.createLink(backup(1), doc);
      move(temp, doc, s);
      Files.readAttributes(lockFile, BasicFileAttributes.class);
      return freed;
    }

    private static void move(Path from, Path to, Stats s) throws IOException {
      long t = System.nanoTime();
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      s.sample("rename", System.nanoTime() - t);
    }

    /** The directory's fsync on a helper beside the log's append and fdatasync, both waited for. */
    private void tail(ExecutorService helper, Stats s) throws Exception {
      long t0 = System.nanoTime();
      phases.syncStart(t0, s); // the tail from the helper's submission: both syncs as one mark
      Future<?> dirSync =
          helper.submit(
              () -> {
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                  long t = System.nanoTime();
                  d.force(true);
                  s.sample("dir fsync", System.nanoTime() - t);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      long position;
      synchronized (this) {
        position = logSize;
        logSize += lines.capacity();
      }
      ByteBuffer b = lines.duplicate();
      while (b.hasRemaining()) {
        log.write(b, position + b.position());
      }
      long t = System.nanoTime();
      log.force(false);
      s.sample("log fdatasync", System.nanoTime() - t);
      dirSync.get();
      long end = System.nanoTime();
      phases.syncEnd(end, s);
      s.sample("tail (both syncs)", end - t0);
    }

    /** Batches one after another on this thread for {@code nanos}. */
    void runSerial(long nanos, Stats s) throws Exception {
      long start = System.nanoTime();
      long deadline = start + nanos;
      long n = 0;
      while (System.nanoTime() < deadline) {
        batch(s);
        n++;
      }
      s.ops = n;
    }

    /** One batch's calls on this thread (the directory's fsync on a helper). */
    void batch(Stats s) throws Exception {
      long b0 = System.nanoTime();
      java.nio.channels.FileLock held = lockChannel.lock();
      try {
        load();
        s.sample("lock + load", System.nanoTime() - b0);
        Path temp = spares.poll();
        writeTemp(temp, s);
        spares.add(rotateAndRename(temp, s));
        tail(helpers[0], s);
      } finally {
        held.release();
      }
      s.sample("batch", System.nanoTime() - b0);
    }

    /** A batch's calls after taking the file lock: the lock's check and the document's load. */
    private void load() throws IOException {
      Files.readAttributes(lockFile, BasicFileAttributes.class);
      Files.readAttributes(doc, BasicFileAttributes.class);
      try (FileChannel ch = FileChannel.open(doc, StandardOpenOption.READ)) {
        ch.read(ByteBuffer.allocate(content.length + 1));
      }
      Files.readAttributes(logFile, BasicFileAttributes.class);
    }

    /** Lockstep's check that nobody else has a spare open (a lease taken and given back). */
    private static void openNowhereElse(Path file) throws IOException {
      try {
        if (!(Boolean) LEASE_CHECK.invoke(null, file)) {
          throw new IOException("lease check failed for " + file);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }

    // overlapped batches: batch i runs on thread i % 2; shared state guarded by this
    private long renamed; // batches whose rename is done
    private long durable; // batches whose tail syncs returned
    private boolean failed;
    private long[] tempStart = new long[0];
    private long[] tempEnd = new long[0];
    private long[] tailStart = new long[0];
    private long[] tailEnd = new long[0];

    /**
     * Two threads take alternate batches for {@code nanos}: batch i writes its temp file once batch
     * i-1 renamed (so while i-1 waits for its syncs), and rotates and renames once i-1 is durable.
     */
    void runOverlapped(long nanos, Stats s) throws Exception {
      int capacity = 20_000;
      tempStart = new long[capacity];
      tempEnd = new long[capacity];
      tailStart = new long[capacity];
      tailEnd = new long[capacity];
      long deadline = System.nanoTime() + nanos;
      long first;
      synchronized (this) {
        first = durable; // == renamed: nothing in flight between slices
        failed = false;
      }
      long[] stop = {Long.MAX_VALUE};
      Thread[] threads = new Thread[2];
      Throwable[] failure = new Throwable[1];
      for (int w = 0; w < 2; w++) {
        int me = w;
        threads[w] =
            Thread.ofPlatform()
                .name("docs-ceiling-" + w)
                .start(
                    () -> {
                      try {
                        for (long i = first + me; ; i += 2) {
                          if (!overlappedBatch(i, first, deadline, stop, me, s)) {
                            return;
                          }
                        }
                      } catch (Throwable e) {
                        synchronized (this) {
                          failure[0] = e;
                          failed = true;
                          notifyAll();
                        }
                      }
                    });
      }
      for (Thread t : threads) {
        t.join();
      }
      if (failure[0] != null) {
        throw new IllegalStateException("overlap slice failed: " + failure[0], failure[0]);
      }
      long done;
      synchronized (this) {
        done = durable - first;
      }
      s.ops = done;
      int together = 0;
      int beside = 0;
      Samples apart = new Samples();
      for (int i = 1; i < done && i < capacity; i++) {
        // batch i's temp fsync against batch i-1's tail syncs
        boolean overlapped = tempStart[i] < tailEnd[i - 1] && tempEnd[i] > tailStart[i - 1];
        if (overlapped) {
          beside++;
          long gap = Math.abs(tempEnd[i] - tailEnd[i - 1]);
          apart.add(gap);
          if (gap < 50_000) {
            together++;
          }
        }
      }
      s.pairs += Math.max(0, Math.min(done, capacity) - 1);
      s.beside += beside;
      s.together += together;
      if (apart.size > 0) {
        s.syncs.computeIfAbsent("|temp end - tail end|", x -> new Samples()).addAll(apart);
      }
    }

    /** Runs batch {@code i}, or returns false when the slice is over. */
    private boolean overlappedBatch(long i, long first, long deadline, long[] stop, int me, Stats s)
        throws Exception {
      int slot = (int) (i - first);
      Path temp;
      synchronized (this) {
        while (renamed < i && !failed && i < stop[0]) {
          wait();
        }
        if (failed || i >= stop[0]) {
          return false;
        }
        if (System.nanoTime() >= deadline) {
          stop[0] = i; // this and later batches do not start
          notifyAll();
          return false;
        }
        temp = spares.poll(); // freed by batch i-2 or earlier: durable
      }
      load(); // the file lock itself stays with this JVM between overlapped batches
      long t0 = System.nanoTime();
      writeTemp(temp, s);
      long t1 = System.nanoTime();
      if (slot < tempStart.length) {
        tempStart[slot] = t0;
        tempEnd[slot] = t1;
      }
      synchronized (this) {
        while (durable < i && !failed) {
          wait();
        }
        if (failed) {
          return false;
        }
      }
      Path freed;
      try {
        freed = rotateAndRename(temp, s);
      } catch (NoSuchFileException e) {
        throw new IllegalStateException("batch " + i + " rotation", e);
      }
      synchronized (this) {
        renamed = i + 1;
        notifyAll();
      }
      long t2 = System.nanoTime();
      tail(helpers[me], s);
      long t3 = System.nanoTime();
      if (slot < tailStart.length) {
        tailStart[slot] = t2;
        tailEnd[slot] = t3;
      }
      synchronized (this) {
        spares.add(freed); // durable now
        durable = i + 1;
        notifyAll();
      }
      return true;
    }

    @Override
    public void close() throws IOException {
      for (ExecutorService h : helpers) {
        h.shutdownNow();
      }
      log.close();
      lockChannel.close();
    }
  }

  /**
   * The floor's batches behind the plainest group commit of synchronous callers: a caller queues
   * and parks; if no batch runs it leads: it waits for as many callers as the last batch had (at
   * most an eighth of that batch's time, as Lockstep's committer does), drains the queue, runs one
   * {@link Floor#batch}, unparks the callers it answered and hands the lead to the first caller
   * queued meanwhile. No document work: what is left between the syncs is the callers' hand-off on
   * this machine's CPUs.
   */
  private static final class Grouped {
    private static final class Waiter {
      final Thread thread = Thread.currentThread();
      volatile boolean done;
      volatile boolean lead;
    }

    private final Floor floor;
    private final ReentrantLock monitor = new ReentrantLock();
    private final Condition arrived = monitor.newCondition();
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private boolean running;
    private int lastBatch = 1;
    private long lastBatchNanos;

    Grouped(Floor floor) {
      this.floor = floor;
    }

    /** One caller's commit: queued, then led or waited for; returns once its batch is durable. */
    void submit(Stats s) throws Exception {
      Waiter w = new Waiter();
      monitor.lock();
      try {
        queue.addLast(w);
        if (!running) {
          running = true;
          queue.removeLast();
          queue.addFirst(w);
          w.lead = true;
        } else if (queue.size() >= lastBatch) {
          arrived.signal();
        }
      } finally {
        monitor.unlock();
      }
      while (!w.done) {
        if (w.lead) {
          w.lead = false;
          lead(s);
        } else {
          LockSupport.park(this);
        }
      }
    }

    private void lead(Stats s) throws Exception {
      List<Waiter> batch;
      monitor.lock();
      try {
        long until = System.nanoTime() + lastBatchNanos / 8;
        while (queue.size() < lastBatch) {
          long left = until - System.nanoTime();
          if (left <= 0) {
            break;
          }
          arrived.awaitNanos(left);
        }
        batch = new ArrayList<>(queue);
        queue.clear();
      } finally {
        monitor.unlock();
      }
      long t0 = System.nanoTime();
      floor.batch(s);
      long took = System.nanoTime() - t0;
      s.countBatch(batch.size());
      Waiter next;
      monitor.lock();
      try {
        lastBatch = batch.size();
        lastBatchNanos = took;
        next = queue.pollFirst();
        if (next == null) {
          running = false;
        } else {
          queue.addFirst(next); // leads: drains itself with the rest
          next.lead = true;
        }
      } finally {
        monitor.unlock();
      }
      for (Waiter b : batch) {
        b.done = true;
        if (b.thread != Thread.currentThread()) {
          LockSupport.unpark(b.thread);
        }
      }
      if (next != null) {
        LockSupport.unpark(next.thread);
      }
    }
  }
}
