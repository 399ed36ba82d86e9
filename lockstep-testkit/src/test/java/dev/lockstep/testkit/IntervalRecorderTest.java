package dev.lockstep.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.lock.LockMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class IntervalRecorderTest {

  @Test
  void sequentialSectionsDoNotOverlap() {
    IntervalRecorder r = new IntervalRecorder();
    r.record("k", LockMode.EXCLUSIVE, () -> {});
    IntervalRecorder.Section s = r.enter("k");
    assertEquals(1, r.openSections());
    s.close();
    s.close(); // idempotent
    assertEquals(0, r.openSections());
    assertEquals(2, r.intervals().size());
    r.assertNoOverlap();
    assertEquals(0, r.overlapsAcrossKeys());
    assertEquals(1, r.peakConcurrentKeys());
  }

  @Test
  void overlappingSectionsOfOneKeyAreReportedWithBothThreads() throws Exception {
    IntervalRecorder r = new IntervalRecorder();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch leave = new CountDownLatch(1);
    Thread other =
        Thread.ofPlatform()
            .name("other-holder")
            .start(
                () ->
                    r.record(
                        "alice",
                        LockMode.EXCLUSIVE,
                        () -> {
                          inside.countDown();
                          awaitQuietly(leave);
                        }));
    inside.await();
    r.record("alice", LockMode.EXCLUSIVE, () -> {}); // no lock: enters while "other" is inside
    leave.countDown();
    other.join();
    AssertionError e = assertThrows(AssertionError.class, r::assertNoOverlap);
    assertTrue(e.getMessage().contains("'alice'"), e.getMessage());
    assertTrue(e.getMessage().contains("other-holder"), e.getMessage());
  }

  @Test
  void readersOverlapUnderReadWriteRulesOnly() {
    IntervalRecorder r = new IntervalRecorder();
    IntervalRecorder.Section a = r.enter("k", LockMode.SHARED);
    IntervalRecorder.Section b = r.enter("k", LockMode.SHARED);
    b.close();
    a.close();
    r.assertReadWriteExclusion();
    assertTrue(r.verdict().consistent());
    assertThrows(AssertionError.class, r::assertNoOverlap);
  }

  @Test
  void countsOverlapsAcrossKeysAndPeakKeys() {
    IntervalRecorder r = new IntervalRecorder();
    IntervalRecorder.Section a = r.enter("a"); // alone
    IntervalRecorder.Section b = r.enter("b"); // while a is open: 1
    IntervalRecorder.Section c = r.enter("c"); // while a and b are open: 2
    c.close();
    b.close();
    a.close();
    r.record("a", LockMode.EXCLUSIVE, () -> {}); // alone again
    assertEquals(2, r.overlapsAcrossKeys());
    assertEquals(3, r.peakConcurrentKeys());
    r.assertNoOverlap();
  }

  @Test
  void manyThreadsRecordConcurrently() throws Exception {
    IntervalRecorder r = new IntervalRecorder();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      String key = "k" + t;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < 1_000; i++) {
                      r.record(key, LockMode.EXCLUSIVE, Thread::yield);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(16_000, r.intervals().size());
    r.assertNoOverlap(); // one key per thread
    long distinct =
        r.intervals().stream().flatMap(i -> Stream.of(i.enter(), i.exit())).distinct().count();
    assertEquals(32_000, distinct, "every event has its own sequence number");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
