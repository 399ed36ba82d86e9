package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.file.Durability;
import dev.lockstep.file.FileLockMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DocumentOptionsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    DocumentOptions d = DocumentOptions.defaults();
    assertEquals(Duration.ofSeconds(10), d.lockTimeout());
    assertEquals(3, d.retries());
    assertEquals(Duration.ofMillis(500), d.initialBackoff());
    assertEquals(3, d.backups());
    assertEquals(Optional.empty(), d.changeLog());
    assertEquals(Durability.FULL, d.durability());
    assertEquals(FileLockMode.FLOCK, d.lockMode());
    assertTrue(d.groupCommit());
  }

  @Test
  void withersChangeOneThing() {
    DocumentOptions d =
        DocumentOptions.defaults()
            .withBackups(5)
            .withOwner("agent-1")
            .withChangeLog(Path.of("logs/x.jsonl"))
            .withLockMode(FileLockMode.POSIX);
    assertEquals(5, d.backups());
    assertEquals("agent-1", d.owner());
    assertEquals(Optional.of(Path.of("logs/x.jsonl")), d.changeLog());
    assertEquals(FileLockMode.POSIX, d.lockMode());
    assertEquals(Duration.ofSeconds(10), d.lockTimeout());
  }

  @Test
  void aDurationTooLongToCountInNanosIsRefusedNotAnOverflowAtEveryUpdate() {
    Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DocumentOptions.defaults().withRetries(0, Duration.ZERO, Duration.ZERO, forever));
    assertTrue(e.getMessage().contains("retryDeadline"), e.getMessage());
    Duration longest = Duration.ofNanos(Long.MAX_VALUE);
    assertEquals(
        longest,
        DocumentOptions.defaults()
            .withRetries(0, Duration.ZERO, Duration.ZERO, longest)
            .retryDeadline());
  }

  @Test
  void badValuesAreRefusedNamingTheOption() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> DocumentOptions.defaults().withLockTimeout(Duration.ofSeconds(-1)))
            .getMessage()
            .contains("lockTimeout"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> DocumentOptions.defaults().withBackups(-1))
            .getMessage()
            .contains("backups"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    DocumentOptions.defaults()
                        .withRetries(-1, Duration.ZERO, Duration.ZERO, Duration.ZERO))
            .getMessage()
            .contains("retries"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> DocumentOptions.defaults().withOwner("a\nb"))
            .getMessage()
            .contains("owner"));
  }
}
