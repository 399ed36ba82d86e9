package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR events LockRegistry's javadoc promises, as a recording shows them. */
class LockEventsTest {

  @Test
  void contendedAcquiresAndLongHoldsAreRecorded(@TempDir Path dir) throws Exception {
    RegistryOptions o =
        RegistryOptions.DEFAULTS
            .withThresholds(Duration.ofSeconds(30), Duration.ofMillis(20))
            .withWatchdogInterval(Duration.ZERO);
    Path file = dir.resolve("locks.jfr");
    try (Recording recording = new Recording();
        LockRegistry r = LockRegistry.create(o)) {
      recording.enable("dev.lockstep.ContendedAcquire");
      recording.enable("dev.lockstep.LongHold");
      recording.start();
      KeyedLock<String> lock = r.keyed("users");
      LockHandle held = lock.acquire("alice \"a\"", Duration.ofSeconds(5));
      CompletableFuture<LockHandle> waiter =
          lock.acquireAsync("alice \"a\"", Duration.ofSeconds(5));
      Thread.sleep(30); // a long hold, and a wait behind it
      held.close();
      waiter.get(5, TimeUnit.SECONDS).close(); // short: no second long hold
      lock.acquire("bob", Duration.ofSeconds(5)).close(); // uncontended, short: no event
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    List<RecordedEvent> contended =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("dev.lockstep.ContendedAcquire"))
            .toList();
    List<RecordedEvent> longHolds =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("dev.lockstep.LongHold"))
            .toList();
    assertEquals(1, contended.size(), contended.toString());
    assertEquals("users", contended.get(0).getString("lock"));
    assertEquals("alice \"a\"", contended.get(0).getString("key"));
    assertEquals("EXCLUSIVE", contended.get(0).getString("mode"));
    assertTrue(contended.get(0).getDuration("waitNanos").toMillis() >= 20, contended.toString());
    // The 30 ms hold; the short ones after it stay under 20 ms unless the machine stalls.
    assertTrue(!longHolds.isEmpty(), events.toString());
    assertEquals("alice \"a\"", longHolds.get(0).getString("key"));
    assertTrue(longHolds.get(0).getDuration("holdNanos").toMillis() >= 20, longHolds.toString());
    assertTrue(Files.size(file) > 0);
  }
}
