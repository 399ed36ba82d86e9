package dev.lockstep.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AtomicFileTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void createsAndReplacesLeavingNoTemporaryFile(Durability durability) throws Exception {
    Path file = dir.resolve("STATE.md");
    AtomicFile.write(file, "one".getBytes(UTF_8), durability);
    assertEquals("one", Files.readString(file));
    AtomicFile.write(file, "two".getBytes(UTF_8), durability);
    assertEquals("two", Files.readString(file));
    AtomicFile.write(file, new byte[0], durability);
    assertEquals("", Files.readString(file));
    assertEquals(List.of("STATE.md"), names());
  }

  /**
   * A reader running beside the writer always sees one complete version. Checked against a broken
   * variant that writes the target in place ({@code Files.write}, truncate then write): the reader
   * sees empty and partial files within the first few hundred reads.
   */
  @Test
  void readersSeeTheOldOrTheNewContentNeverAMix() throws Exception {
    Path file = dir.resolve("state.yaml");
    byte[] a = new byte[256 * 1024];
    byte[] b = new byte[128 * 1024];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    AtomicFile.write(file, a, Durability.NONE);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger torn = new AtomicInteger();
    AtomicInteger reads = new AtomicInteger();
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (!done.get()) {
                    try {
                      byte[] seen = Files.readAllBytes(file);
                      reads.incrementAndGet();
                      if (!Arrays.equals(seen, a) && !Arrays.equals(seen, b)) {
                        torn.incrementAndGet();
                      }
                    } catch (IOException e) {
                      torn.incrementAndGet();
                    }
                  }
                });
    long end = System.nanoTime() + Duration.ofMillis(700).toNanos();
    for (int i = 0; System.nanoTime() < end || reads.get() < 200; i++) {
      AtomicFile.write(file, i % 2 == 0 ? b : a, Durability.NONE);
    }
    done.set(true);
    reader.join();
    assertEquals(0, torn.get(), "torn reads out of " + reads.get());
  }

  /**
   * A failure at any step before the rename leaves the old content and no temporary file. Checked
   * against a broken variant without the cleanup in the catch block: the temporary file stays.
   */
  @ParameterizedTest
  @EnumSource(
      value = AtomicFile.Step.class,
      names = {"CREATED", "WRITTEN", "SYNCED"})
  void aFailureBeforeTheRenameKeepsTheOldContentAndNoTemporaryFile(AtomicFile.Step failAt)
      throws Exception {
    Path file = dir.resolve("STATE.md");
    AtomicFile.write(file, "old".getBytes(UTF_8));
    IOException injected = new IOException("injected at " + failAt);
    Path[] temp = new Path[1];
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFile.write(
                    file,
                    "new".getBytes(UTF_8),
                    Durability.FULL,
                    (step, path) -> {
                      if (step == failAt) {
                        temp[0] = path;
                        assertTrue(Files.exists(path));
                        assertTrue(path.getFileName().toString().startsWith(".STATE.md.tmp-"));
                        throw injected;
                      }
                    }));
    assertSame(injected, e);
    assertEquals("old", Files.readString(file));
    assertFalse(Files.exists(temp[0]));
    assertEquals(List.of("STATE.md"), names());
  }

  @Test
  void aRealRenameFailureRemovesTheTemporaryFile() throws Exception {
    Path target = Files.createDirectory(dir.resolve("state.json")); // a directory in the way
    Files.writeString(target.resolve("inside"), "x");
    assertThrows(IOException.class, () -> AtomicFile.write(target, "{}".getBytes(UTF_8)));
    assertEquals(List.of("state.json"), names());
    assertEquals(
        List.of("inside"), Files.list(target).map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void aMissingDirectoryFailsWithoutCreatingAnything() {
    Path file = dir.resolve("missing/state.yaml");
    assertThrows(NoSuchFileException.class, () -> AtomicFile.write(file, new byte[1]));
    assertFalse(Files.exists(file.getParent()));
  }

  @Test
  void keepsTheTargetsPermissions() throws Exception {
    Path file = dir.resolve("secret.yaml");
    Files.writeString(file, "a");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    AtomicFile.write(file, "b".getBytes(UTF_8));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void removesLeftoversOlderThanTheGivenAgeOnly() throws Exception {
    Path file = dir.resolve("STATE.md");
    AtomicFile.write(file, "doc".getBytes(UTF_8));
    Path old = Files.writeString(dir.resolve(".STATE.md.tmp-0123456789abcdef"), "torn");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(3600)));
    Path fresh = Files.writeString(dir.resolve(".STATE.md.tmp-fedcba9876543210"), "in flight");
    Path other = Files.writeString(dir.resolve(".other.md.tmp-0123456789abcdef"), "not ours");
    Files.setLastModifiedTime(other, FileTime.from(Instant.now().minusSeconds(3600)));
    Files.writeString(dir.resolve(".STATE.md.tmp-"), "no suffix: not a temporary file");

    assertEquals(List.of(old), AtomicFile.removeLeftovers(file, Duration.ofMinutes(10)));
    assertTrue(Files.exists(fresh));
    assertEquals(List.of(fresh), AtomicFile.removeLeftovers(file, Duration.ZERO));
    assertEquals(List.of(".STATE.md.tmp-", ".other.md.tmp-0123456789abcdef", "STATE.md"), names());
    assertArrayEquals("doc".getBytes(UTF_8), Files.readAllBytes(file));
    assertTrue(AtomicFile.isTemporaryFileOf(file, old));
    assertFalse(AtomicFile.isTemporaryFileOf(file, other));
  }
}
