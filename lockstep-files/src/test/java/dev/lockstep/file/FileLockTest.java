package dev.lockstep.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.lock.DeadlockException;
import dev.lockstep.lock.LockMode;
import dev.lockstep.lock.LockTimeoutException;
import dev.lockstep.lock.LockUpgradeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** File locks inside one JVM: exclusion among threads, handles, timeouts, interruption, async. */
class FileLockTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  @TempDir Path dir;

  @AfterEach
  void everyDescriptorIsClosed() throws Exception {
    // The last release closes the shared descriptor (asynchronous waits may end a moment later).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (LockFileTable.INSTANCE.openFiles() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, LockFileTable.INSTANCE.openFiles(), "lock files left open");
  }

  /**
   * Threads using different {@code FileLock} instances, one through a symbolic link, exclude each
   * other. Checked against a broken variant without the in-JVM read-write lock: the threads share
   * one descriptor, the kernel sees one owner and lets them all in (overlaps in the hundreds).
   */
  @ParameterizedTest
  @EnumSource(FileLockMode.class)
  void threadsOfOneJvmExcludeEachOther(FileLockMode mode) throws Exception {
    Path file = dir.resolve("counter.lock");
    Path link = Files.createSymbolicLink(dir.resolve("link.lock"), file);
    int threads = 4;
    int rounds = 200;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    int[] counter = {0};
    List<Thread> workers = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      FileLock lock = FileLock.of(t % 2 == 0 ? file : link, mode);
      Thread.Builder builder = t < 2 ? Thread.ofPlatform() : Thread.ofVirtual();
      workers.add(
          builder.start(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < rounds; i++) {
                    try (FileLockHandle h = lock.acquire(LONG)) {
                      if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                      }
                      int seen = counter[0];
                      Thread.yield();
                      counter[0] = seen + 1;
                      inside.decrementAndGet();
                    }
                  }
                } catch (Throwable e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              }));
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    assertEquals(List.of(), failures);
    assertEquals(0, overlaps.get(), "holders overlapped");
    assertEquals(threads * rounds, counter[0], "lost increments");
  }

  @Test
  void handleReleasesOnceAndReportsItsState() throws Exception {
    Path file = dir.resolve("a.lock");
    FileLock lock = FileLock.of(file);
    FileLockHandle h = lock.acquire(LONG);
    assertTrue(Files.exists(file), "the lock file is created");
    assertTrue(h.isHeld());
    assertTrue(h.isValid());
    assertEquals(LockMode.EXCLUSIVE, h.mode());
    assertEquals(FileLockMode.FLOCK, h.lockMode());
    assertEquals(file, h.path());
    assertTrue(FileLock.of(file).tryAcquire().isEmpty());
    h.close();
    assertFalse(h.isHeld());
    assertFalse(h.isValid());
    FileLockHandle next = lock.tryAcquire().orElseThrow();
    h.close(); // a second close must not release the next holder's lock
    assertTrue(FileLock.of(file).tryAcquire().isEmpty());
    next.close();
    assertTrue(Files.exists(file), "the lock file is never deleted");
  }

  @Test
  void readersShareAndExcludeWriters() throws Exception {
    Path file = dir.resolve("rw.lock");
    FileLock lock = FileLock.of(file);
    try (FileLockHandle r1 = lock.acquireShared(LONG);
        FileLockHandle r2 = lock.tryAcquireShared().orElseThrow()) {
      assertEquals(LockMode.SHARED, r2.mode());
      assertThrows(LockUpgradeException.class, lock::tryAcquire, "a reader asking to write");
      assertFalse(inOtherThread(lock::tryAcquire).isPresent());
      r1.close();
      assertFalse(inOtherThread(lock::tryAcquire).isPresent(), "one reader is left");
    }
    inOtherThread(lock::tryAcquire).orElseThrow().close();
  }

  private static <T> T inOtherThread(Callable<T> task) throws Exception {
    FutureTask<T> f = new FutureTask<>(task);
    Thread.ofPlatform().start(f);
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void timeoutNamesTheFileAndTheHoldingThread() throws Exception {
    Path file = dir.resolve("t.lock");
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread holder =
        Thread.ofPlatform()
            .name("holder-thread")
            .start(
                () -> {
                  try (FileLockHandle h = FileLock.of(file).acquire(LONG)) {
                    held.countDown();
                    done.await();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    held.await();
    try {
      long t0 = System.nanoTime();
      LockTimeoutException e =
          assertThrows(
              LockTimeoutException.class, () -> FileLock.of(file).acquire(Duration.ofMillis(150)));
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(waited >= 140 && waited < 10_000, "waited " + waited + " ms");
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("holder-thread"), e.getMessage());
      assertEquals(Duration.ofMillis(150), e.timeout());
      assertThrows(
          LockTimeoutException.class, () -> FileLock.of(file).acquireShared(Duration.ZERO));
    } finally {
      done.countDown();
      holder.join();
    }
  }

  @Test
  void askingAgainForAHeldLockIsADeadlockNotAHang() throws Exception {
    Path file = dir.resolve("d.lock");
    try (FileLockHandle h = FileLock.of(file).acquire(LONG)) {
      assertThrows(DeadlockException.class, () -> FileLock.of(file).acquire(LONG));
      assertTrue(FileLock.of(file).tryAcquire().isEmpty());
    }
  }

  /**
   * A thread waiting for a lock another process holds can be interrupted. Checked against a broken
   * variant that waits in a blocking {@code flock(LOCK_EX)}: the interrupt is ignored and the
   * thread stays stuck until the peer releases.
   */
  @Test
  void waitingForAnotherProcessIsInterruptible() throws Exception {
    Path file = dir.resolve("i.lock");
    try (Peer peer = Peer.flock(file, false)) {
      peer.awaitLocked(LONG);
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread waiter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      FileLock.of(file).acquire(Duration.ofSeconds(60)).close();
                      outcome.complete(null);
                    } catch (Throwable e) {
                      outcome.complete(e);
                    }
                  });
      awaitOpenFiles(1); // the waiter opened the file (through JNA) and asks the kernel
      Thread.sleep(200);
      waiter.interrupt();
      Throwable e = outcome.get(10, TimeUnit.SECONDS);
      assertTrue(e instanceof InterruptedException, String.valueOf(e));
      peer.release();
    }
  }

  static void awaitOpenFiles(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (LockFileTable.INSTANCE.openFiles() != n) {
      assertTrue(System.nanoTime() < deadline, "the waiter never opened the lock file");
      Thread.sleep(5);
    }
  }

  @Test
  void asyncWaitCompletesOnReleaseAndCancellationStopsIt() throws Exception {
    Path file = dir.resolve("async.lock");
    FileLock lock = FileLock.of(file);
    try (Peer peer = Peer.flock(file, false)) {
      peer.awaitLocked(LONG);
      CompletableFuture<FileLockHandle> cancelled = lock.acquireAsync(Duration.ofSeconds(60));
      CompletableFuture<FileLockHandle> waiting = lock.acquireAsync(LONG);
      Thread.sleep(100);
      assertFalse(waiting.isDone());
      cancelled.cancel(false);
      assertThrows(CancellationException.class, cancelled::join);
      peer.release();
      try (FileLockHandle h = waiting.get(5, TimeUnit.SECONDS)) {
        assertTrue(h.isValid());
      }
    }
    CompletableFuture<FileLockHandle> timedOut;
    try (FileLockHandle h = lock.acquire(LONG)) {
      timedOut = lock.acquireSharedAsync(Duration.ofMillis(50));
      Throwable e = assertThrows(Exception.class, timedOut::join).getCause();
      assertTrue(e instanceof LockTimeoutException, String.valueOf(e));
    }
  }

  @Test
  void aMissingDirectoryIsAnIoErrorNamingTheFile() {
    Path file = dir.resolve("no/such/dir/x.lock");
    IOException e = assertThrows(IOException.class, () -> FileLock.of(file).acquire(LONG));
    assertEquals(
        "cannot open lock file " + file + ": No such file or directory (errno 2)", e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> FileLock.of(file).acquire(Duration.ofSeconds(-1)));
  }
}
