package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a user reads from a registry: its JSON, its histograms, its recent operations. */
class RegistrySnapshotTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  /**
   * Keys and owner descriptions with quotes, backslashes, newlines, control characters, a character
   * beyond the BMP and a lone surrogate: the JSON, encoded in UTF-8 as it would be on a wire,
   * parses and gives back every text exactly. (Failed before lone surrogates were escaped: one has
   * no UTF-8 form, so the encoded document read back "?".)
   */
  @Test
  void snapshotJsonParsesAndKeepsEveryText() throws Exception {
    List<String> texts =
        List.of(
            "say \"hi\"",
            "C:\\dir\\file",
            "two\nlines\r\n\ttabbed",
            "bell\u0007 nul\u0000 esc\u001b del\u007f",
            "emoji \uD83D\uDE00 and \u2028 separator",
            "lone \uD800 high and \uDC00 low");
    try (LockRegistry r =
        LockRegistry.create(RegistryOptions.DEFAULTS.withWatchdogInterval(Duration.ZERO))) {
      KeyedLock<String> lock = r.keyed("users \"quoted\"");
      List<LockHandle> held = new ArrayList<>();
      for (String text : texts) {
        held.add(lock.acquireAsync(text, LONG, LockOwner.named(text)).get(10, TimeUnit.SECONDS));
      }
      byte[] wire = r.snapshot().toJson().getBytes(StandardCharsets.UTF_8);
      JsonNode root = new ObjectMapper().readTree(wire);
      JsonNode l = root.get("locks").get(0);
      assertEquals("users \"quoted\"", l.get("name").asText());
      List<String> keys = new ArrayList<>();
      List<String> owners = new ArrayList<>();
      for (JsonNode h : l.get("holders")) {
        keys.add(h.get("key").asText());
        owners.add(h.get("owner").asText());
      }
      assertEquals(new HashSet<>(texts), new HashSet<>(keys));
      assertEquals(new HashSet<>(texts), new HashSet<>(owners));
      List<String> recentKeys = new ArrayList<>();
      l.get("recent").forEach(op -> recentKeys.add(op.get("key").asText()));
      assertEquals(texts, recentKeys);
      held.forEach(LockHandle::close);
    }
  }

  /**
   * Known waits and holds of 1 to 1000 µs: count, min, max, mean and percentiles are those of the
   * values, within HdrHistogram's 3 significant digits.
   */
  @Test
  void histogramFiguresMatchKnownValues() {
    LockStatistics s = new LockStatistics(16, Long.MAX_VALUE);
    for (int micros = 1000; micros >= 1; micros--) { // any order
      s.acquired("l", "k", LockMode.EXCLUSIVE, micros * 1000L, false);
      s.released("l", "k", micros * 2000L);
    }
    LatencySummary w = s.waitTime();
    assertEquals(1000, w.count());
    near(1, w.minMicros());
    near(1000, w.maxMicros());
    near(500.5, w.meanMicros());
    near(500, w.p50Micros());
    near(900, w.p90Micros());
    near(990, w.p99Micros());
    LatencySummary h = s.holdTime();
    assertEquals(1000, h.count());
    near(2, h.minMicros());
    near(2000, h.maxMicros());
    near(1000, h.p50Micros());
    // A second look adds nothing twice.
    assertEquals(1000, s.waitTime().count());
    s.acquired("l", "k", LockMode.EXCLUSIVE, 5_000_000, true);
    assertEquals(1001, s.waitTime().count());
    near(5000, s.waitTime().maxMicros());
    assertEquals(1, s.counters().contended());
  }

  private static void near(double expected, double actual) {
    assertTrue(
        Math.abs(actual - expected) <= expected * 0.001 + 1e-9,
        "expected " + expected + " within 0.1%, was " + actual);
  }

  /**
   * Three threads record while a reader takes snapshots: the recent operations never exceed the
   * configured count, never repeat, and are oldest first. (Failed before slots carried their
   * operation's number: a reader saw a slot whose writer had not stored yet, so the last entry was
   * an operation from a lap earlier, in about three snapshots of four.)
   */
  @Test
  void recentOperationsAreBoundedAndInOrderWhileWritten() throws Exception {
    try (LockRegistry r =
        LockRegistry.create(
            RegistryOptions.DEFAULTS.withRecentOperations(8).withWatchdogInterval(Duration.ZERO))) {
      KeyedLock<String> lock = r.keyed("ring");
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        String key = "k" + t;
        writers.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      while (!Thread.currentThread().isInterrupted()) {
                        try (LockHandle h = lock.acquire(key, LONG)) {
                          assertTrue(h.isHeld());
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    }));
      }
      try {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        int snapshots = 0;
        while (System.nanoTime() < end || snapshots < 100) {
          List<OperationRecord> recent = r.snapshot().lock("ring").orElseThrow().recent();
          snapshots++;
          assertTrue(recent.size() <= 8, recent.toString());
          assertEquals(recent.size(), new HashSet<>(recent).size(), recent.toString());
          for (int i = 1; i < recent.size(); i++) {
            Instant before = recent.get(i - 1).at();
            assertTrue(!recent.get(i).at().isBefore(before), "out of order: " + recent);
          }
        }
      } finally {
        for (Thread w : writers) {
          w.interrupt();
        }
        for (Thread w : writers) {
          w.join();
        }
      }
      List<OperationRecord> quiet = r.snapshot().lock("ring").orElseThrow().recent();
      assertEquals(8, quiet.size(), "a quiet ring shows all its slots: " + quiet);
    }
  }
}
