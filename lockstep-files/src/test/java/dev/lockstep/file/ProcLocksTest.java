package dev.lockstep.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing {@code /proc/locks}, on sample lines and on this machine's real file. */
class ProcLocksTest {
  @TempDir Path dir;

  private static final FileKey FILE = new FileKey(0xfe00, 2154544); // fe:00, as st_dev encodes it

  @Test
  void findsHoldersByKindDeviceAndInode() {
    List<String> lines =
        List.of(
            "1: FLOCK  ADVISORY  WRITE 111 fe:00:2154544 0 EOF",
            "1: -> FLOCK  ADVISORY  WRITE 222 fe:00:2154544 0 EOF",
            "2: POSIX  ADVISORY  WRITE 333 fe:00:2154544 0 EOF",
            "3: FLOCK  ADVISORY  READ 444 fe:01:2154544 0 EOF",
            "4: FLOCK  ADVISORY  READ 555 fe:00:21545440 0 EOF",
            "5: OFDLCK ADVISORY  READ -1 fe:00:2154544 0 EOF",
            "garbage");
    assertEquals("pid 111", ProcLocks.holders(lines, FILE, FileLockMode.FLOCK, 1).split(" \\(")[0]);
    assertTrue(ProcLocks.holders(lines, FILE, FileLockMode.POSIX, 1).startsWith("pid 333"));
    assertEquals("pid 111 (this JVM)", ProcLocks.holders(lines, FILE, FileLockMode.FLOCK, 111));
    assertNull(ProcLocks.holders(lines, new FileKey(0xfe00, 1), FileLockMode.FLOCK, 1));
    assertEquals(
        "a process the kernel does not name",
        ProcLocks.holders(lines.subList(5, 6), FILE, FileLockMode.POSIX, 1));
  }

  @Test
  void deviceNumbersDecodeLikeGlibc() {
    assertEquals("fe:00:2154544", FILE.toString());
    // major 0x1234 (12 low bits at 8..19, the rest at 44..63), minor 0x56789 (8 low bits at 0..7,
    // the rest at 20..43)
    long dev = (0x234L << 8) | (0x1L << 44) | 0x89 | (0x567L << 20);
    assertEquals("1234:56789:7", new FileKey(dev, 7).toString());
  }

  /** The real /proc/locks of this machine names a flock(1) holder of a real file. */
  @Test
  void readsThisMachinesProcLocks() throws Exception {
    Path file = dir.resolve("p.lock");
    try (Peer peer = Peer.flock(file, false)) {
      long pid = peer.awaitLocked(Duration.ofSeconds(20));
      FileKey key = FileKey.atPath(file);
      assertEquals("pid " + pid + " (flock)", ProcLocks.holders(key, FileLockMode.FLOCK));
      assertNull(ProcLocks.holders(key, FileLockMode.POSIX));
      assertTrue(Files.readString(Path.of("/proc/locks")).contains(key.toString()));
      peer.release();
    }
  }
}
