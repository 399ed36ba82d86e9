package dev.lockstep.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who holds a lock on a file, from {@code /proc/locks}: diagnostics for timeout messages only,
 * never used to decide anything.
 *
 * <p>A line looks like {@code 1: FLOCK ADVISORY WRITE 12345 fe:00:2154544 0 EOF}: id, kind ({@code
 * FLOCK}, {@code POSIX}, {@code OFDLCK}, ...), advisory or mandatory, {@code READ} or {@code
 * WRITE}, pid, then {@code MAJ:MIN:INODE} (hex, hex, decimal) and the byte range. Lines of blocked
 * waiters carry a {@code ->} after the id and are skipped.
 */
final class ProcLocks {
  private ProcLocks() {}

  private static final Path PROC_LOCKS = Path.of("/proc/locks");

  /**
   * Describes the holders of {@code mode} locks on {@code file}, such as {@code "pid 4242
   * (python3)"}, or returns {@code null} when the kernel names none (or /proc is unreadable).
   */
  static String holders(FileKey file, FileLockMode mode) {
    List<String> lines;
    try {
      lines = Files.readAllLines(PROC_LOCKS, StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
    return holders(lines, file, mode, ProcessHandle.current().pid());
  }

  static String holders(List<String> lines, FileKey file, FileLockMode mode, long selfPid) {
    String wanted = file.toString();
    Set<Long> pids = new LinkedHashSet<>();
    boolean anonymous = false;
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8 || f[1].equals("->")) {
        continue;
      }
      boolean kindMatches =
          mode == FileLockMode.FLOCK
              ? f[1].equals("FLOCK")
              : f[1].equals("POSIX") || f[1].equals("OFDLCK");
      if (!kindMatches || !f[5].equals(wanted)) {
        continue;
      }
      try {
        long pid = Long.parseLong(f[4]);
        if (pid > 0) {
          pids.add(pid);
        } else {
          anonymous = true; // OFD locks show pid -1; holders outside our pid namespace show 0
        }
      } catch (NumberFormatException ignored) {
        // not a lock line
      }
    }
    if (pids.isEmpty()) {
      return anonymous ? "a process the kernel does not name" : null;
    }
    StringBuilder s = new StringBuilder(pids.size() == 1 ? "pid " : "pids ");
    String sep = "";
    for (long pid : pids) {
      s.append(sep).append(pid).append(describe(pid, selfPid));
      sep = ", ";
    }
    return s.toString();
  }

  private static String describe(long pid, long selfPid) {
    if (pid == selfPid) {
      return " (this JVM)";
    }
    try {
      String comm = Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
      return comm.isEmpty() ? "" : " (" + comm + ")";
    } catch (IOException | RuntimeException gone) {
      return "";
    }
  }
}
