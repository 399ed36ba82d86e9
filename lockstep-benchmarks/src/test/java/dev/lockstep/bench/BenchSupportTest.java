package dev.lockstep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fast checks of the runner's plumbing; no benchmark runs here (verify must stay fast). */
class BenchSupportTest {

  /**
   * The launcher builds the benchmarks jar only for a command line naming one of its suites, so its
   * list must be BenchMain's: a suite missing there would run a stale (or missing) jar.
   */
  @Test
  void launcherKnowsEverySuite() throws Exception {
    String launcher = Files.readString(Path.of("..", "lockstep"));
    String line =
        launcher
            .lines()
            .filter(l -> l.startsWith("BENCH_SUITES="))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no BENCH_SUITES= line in ../lockstep"));
    assertEquals("BENCH_SUITES=\"" + String.join(" ", BenchMain.SUITES) + "\"", line);
  }

  @Test
  void parsesArguments() {
    BenchMain.Args a = BenchMain.Args.parse("locks", "--quick", "--json", "out.json");
    assertEquals("locks", a.suite());
    assertTrue(a.quick());
    assertEquals(Path.of("out.json"), a.json());
    assertFalse(BenchMain.Args.parse("rwlock").quick());
    assertThrows(IllegalArgumentException.class, () -> BenchMain.Args.parse());
    assertThrows(IllegalArgumentException.class, () -> BenchMain.Args.parse("nope"));
    assertThrows(IllegalArgumentException.class, () -> BenchMain.Args.parse("locks", "--json"));
    assertThrows(IllegalArgumentException.class, () -> BenchMain.Args.parse("locks", "--fast"));
  }

  @Test
  void convertsJmhUnitsToOpsPerSecond() {
    assertEquals(2e6, Jmh.opsPerSecond(2e6, "ops/s"), 1e-6);
    assertEquals(2e6, Jmh.opsPerSecond(2e3, "ops/ms"), 1e-6);
    assertEquals(1e6, Jmh.opsPerSecond(1000, "ns/op"), 1e-6);
    assertEquals(500, Jmh.opsPerSecond(2, "ms/op"), 1e-9);
    assertEquals(0.1e6, Jmh.errorOpsPerSecond(1000, 100, "ns/op"), 1e-6);
  }

  @Test
  void comparisonsCarryTheIssueTargets() {
    Report report = new Report("locks", true);
    for (String impl : KeyedLockImpl.NAMES) {
      report.rows.add(new Report.Row("hot-key-2t", impl, 2, 10.0, null, null, null, null));
    }
    report.rows.set(0, new Report.Row("hot-key-2t", "lockstep", 2, 5.0, null, null, 8.0, null));
    report.compareThroughput("hot-key-2t", KeyedLockImpl.NAMES);
    assertEquals(KeyedLockImpl.NAMES.size() - 1, report.comparisons.size());
    Report.Comparison lazy =
        report.comparisons.stream()
            .filter(c -> c.peer().equals("guava-striped-lazyweak"))
            .findFirst()
            .orElseThrow();
    assertEquals(0.5, lazy.ratio(), 1e-9);
    assertEquals(1.0, lazy.target());
    assertFalse(lazy.met());
    Report.Comparison bare =
        report.comparisons.stream()
            .filter(c -> c.peer().equals("reentrantlock"))
            .findFirst()
            .orElseThrow();
    assertNull(bare.target());
    assertNull(bare.met());
  }

  @Test
  void targetComparisonsShowEveryInterleavedRound() {
    Report report = new Report("locks", false);
    report.rows.add(new Report.Row("uncontended", "lockstep", 1, 6.0, null, null, 32.0, null));
    report.rows.add(
        new Report.Row("uncontended", "guava-striped-lazyweak", 1, 3.0, null, null, 0.0, null));
    report.rows.add(new Report.Row("uncontended", "reentrantlock", 1, 9.0, null, null, 0.0, null));
    report.forkOps.put(Report.forkKey("uncontended", "lockstep"), List.of(6.0, 5.0, 7.0));
    report.forkOps.put(
        Report.forkKey("uncontended", "guava-striped-lazyweak"), List.of(3.0, 4.0, 3.5));
    report.forkOps.put(Report.forkKey("uncontended", "reentrantlock"), List.of(9.0, 9.0, 9.0));
    report.compareThroughput("uncontended", KeyedLockImpl.NAMES);
    // Only the comparison with a target gets its rounds; 1.25x misses 1.5x in round 2.
    assertEquals(
        List.of(
            "uncontended vs guava-striped-lazyweak, round by round: 2.00x, 1.25x, 2.00x"
                + " (2 of 3 rounds >= 1.50x)"),
        report.notes);
  }

  @Test
  void writesTheJsonShapeOfBenchmarksMd() {
    Report report = new Report("rwlock", false);
    report.rows.add(new Report.Row("rw-90-10-2t", "lockstep", 2, 6e6, null, null, 64.0, null));
    report.rows.add(new Report.Row("rw-90-10-2t", "rrwl-fair", 2, 1e6, null, null, 0.0, null));
    report.compareThroughput("rw-90-10-2t", RwLockImpl.NAMES);
    String json = Json.write(report.toJson());
    assertTrue(json.contains("\"suite\": \"rwlock\""), json);
    assertTrue(json.contains("\"machine\": {\"cores\": "), json);
    assertTrue(json.contains("\"p99Micros\": null"), json);
    assertTrue(
        json.contains(
            "{\"scenario\": \"rw-90-10-2t\", \"impl\": \"lockstep\", \"peer\": \"rrwl-fair\","
                + " \"ratio\": 6, \"target\": 5, \"targetKind\": \"required\", \"met\": true}"),
        json);
  }

  @Test
  void jsonEscapesAndFormatsNumbers() {
    Map<String, Object> flat = new LinkedHashMap<>();
    flat.put("a", "q\"\n");
    flat.put("b", 1.5);
    flat.put("c", null);
    flat.put("d", 2e7);
    assertEquals(
        "{\"a\": \"q\\\"\\n\", \"b\": 1.5, \"c\": null, \"d\": 20000000}\n", Json.write(flat));
    assertEquals("[\n  1.5,\n  null\n]\n", Json.write(Arrays.asList(1.5, null)));
    assertEquals("null\n", Json.write(Double.NaN));
    assertEquals("[\n  1,\n  2\n]\n", Json.write(List.of(1, 2)));
  }

  @Test
  void everyKeyedLockCountsExactlyUnderVirtualThreads() throws InterruptedException {
    Integer[] keys = new Integer[LocksBenchmark.KEYS];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = 1_000_000 + i;
    }
    for (String name : KeyedLockImpl.NAMES) {
      assertEquals(
          5_000, VirtualThreadsBenchmark.batch(KeyedLockImpl.create(name), keys, 5_000), name);
      assertEquals(
          1_234, VirtualThreadsBenchmark.batch(KeyedLockImpl.create(name), keys, 1_234), name);
    }
  }

  @Test
  void everyReadWriteLockExcludesWriters() throws InterruptedException {
    for (String name : RwLockImpl.NAMES) {
      RwLockImpl lock = RwLockImpl.create(name);
      Thread[] threads = new Thread[4];
      for (int t = 0; t < threads.length; t++) {
        threads[t] =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        for (int i = 0; i < 10_000; i++) {
                          if (i % 10 == 0) {
                            lock.write();
                          } else {
                            lock.read();
                          }
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
      }
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(4 * 1_000, lock.value(), name);
    }
  }

  @Test
  void pairedKeysSlicesCompareEachRoundWithItsOwnPeerSlice() {
    Report report = new Report("locks", true);
    // The machine slows down by 3x between the rounds; each round's ratio is still 2.5x / 1.5x.
    LocksPaired.addResults(
        report, List.of(new LocksPaired.Round(100e6, 40e6), new LocksPaired.Round(30e6, 20e6)));
    assertEquals(1, report.comparisons.size());
    Report.Comparison c = report.comparisons.get(0);
    assertEquals(LocksPaired.SCENARIO, c.scenario());
    assertEquals(LocksPaired.PEER, c.peer());
    assertEquals(65.0 / 30.0, c.ratio(), 1e-9); // ratio of the mean rates
    assertEquals(2.0, c.target(), 1e-9);
    assertTrue(c.met());
    assertEquals(
        List.of(
            "keys-1000-2t-paired vs guava-striped-lazyweak in adjacent slices, round by round:"
                + " 2.50x, 1.50x (1 of 2 rounds >= 2.00x)"),
        report.notes);
  }

  @Test
  void aPairedKeysSliceCountsBothThreadsAndReleasesEveryKey() throws Exception {
    KeyedLockImpl.Lockstep lock = (KeyedLockImpl.Lockstep) KeyedLockImpl.create("lockstep");
    java.util.concurrent.atomic.AtomicLong acquisitions =
        new java.util.concurrent.atomic.AtomicLong();
    double rate =
        LocksPaired.rate(
            (walk, deadline) -> {
              long n = 0;
              do {
                lock.release(lock.acquire(walk[(int) (n & 4095)]));
                n++;
              } while (System.nanoTime() - deadline < 0);
              acquisitions.addAndGet(n);
              return n;
            },
            50_000_000L);
    // The rate covers both threads' acquisitions over at least the slice's 50 ms.
    assertTrue(rate > 0 && rate <= acquisitions.get() / 0.05, rate + " for " + acquisitions);
    assertTrue(rate >= acquisitions.get() / 1.0, rate + " for " + acquisitions); // within 1 s
    assertEquals(0, lock.lock.activeKeys());
  }

  @Test
  void unknownImplementationsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> KeyedLockImpl.create("nope"));
    assertThrows(IllegalArgumentException.class, () -> RwLockImpl.create("nope"));
  }
}
