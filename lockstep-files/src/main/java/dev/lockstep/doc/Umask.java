package dev.lockstep.doc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * This process's file-creation mask, read once from {@code /proc/self/status} (Linux 4.7+), to tell
 * whether a file created with some permissions gets exactly them. Java cannot change the umask; a
 * native library that does so after the first read makes {@link #passes} stale, which at worst
 * leaves a new document with fewer permissions than the old one had.
 */
final class Umask {
  /** The mask, or -1 when unknown (then every creation is followed by a chmod). */
  private static final int MASK = read();

  private Umask() {}

  /**
   * Whether creating a file with {@code permissions} gives exactly them (known umask clears none).
   */
  static boolean passes(Set<PosixFilePermission> permissions) {
    if (MASK < 0) {
      return false;
    }
    int mode = 0;
    for (PosixFilePermission p : permissions) {
      mode |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 = 0400, ..., OTHERS_EXECUTE = 01
    }
    return (mode & MASK) == 0;
  }

  private static int read() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("Umask:")) {
          return Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
        }
      }
    } catch (IOException | RuntimeException unknown) {
      // not Linux, or too old: fall back to chmod after every creation
    }
    return -1;
  }
}
