package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Attempt ids of one JVM never repeat, even when many threads make them in the same millisecond.
 * (With 22 random low bits instead of the counter, 400,000 ids in one millisecond repeat thousands
 * of times: this test failed on that variant.)
 */
class AttemptIdTest {
  @Test
  void idsOfOneMillisecondNeverRepeatAcrossThreads() throws Exception {
    Instant now = Instant.parse("2026-11-23T08:00:00Z");
    Set<Long> ids = ConcurrentHashMap.newKeySet();
    int threads = 4;
    int each = 100_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                    for (int i = 0; i < each; i++) {
                      ids.add(DefaultFsmEngine.newAttemptId(now));
                    }
                  }));
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    assertEquals(threads * each, ids.size(), "repeated attempt ids");
    for (long id : ids) {
      assertTrue(id > 0, "ids are positive");
    }
  }

  @Test
  void idsGrowWithTime() {
    long earlier = DefaultFsmEngine.newAttemptId(Instant.parse("2026-11-23T08:00:00.000Z"));
    long later = DefaultFsmEngine.newAttemptId(Instant.parse("2026-11-23T08:00:00.001Z"));
    assertTrue(later > earlier, "a later millisecond gives a larger id");
  }
}
