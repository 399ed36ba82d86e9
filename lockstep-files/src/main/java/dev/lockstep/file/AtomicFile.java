package dev.lockstep.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file's content atomically: readers and crashes see the old content or the new one,
 * never a mix, a truncated file or an empty one.
 *
 * <p>{@link #write(Path, byte[], Durability)} writes the content to a temporary file in the same
 * directory named {@code .NAME.tmp-RANDOM} (for {@code STATE.md}: {@code .STATE.md.tmp-3f9c…}),
 * flushes it ({@code fsync}), renames it over the target and flushes the directory, so that the
 * rename itself is on the disk when the call returns. With {@link Durability#NONE} both flushes are
 * skipped.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Atomic replacement: {@code rename(2)} within one directory replaces the name in one step; a
 *       concurrent reader opens either the old file or the new one.
 *   <li>Durability (with {@link Durability#FULL}): once {@code write} returns, the new content and
 *       the rename survive a crash of the machine.
 *   <li>No litter: every failure removes the temporary file before the exception leaves {@code
 *       write}. Only a crash of the process or the machine can leave one behind, and {@link
 *       #removeLeftovers} removes those.
 *   <li>The target keeps its POSIX permissions (the temporary file gets them before the rename); a
 *       new target gets {@code 0666} minus the umask.
 * </ul>
 *
 * <h2>Non-guarantees</h2>
 *
 * <ul>
 *   <li>No coordination between writers: two concurrent writes both succeed, and the last rename
 *       wins. Serialize writers with a lock, such as a {@link FileLock} on a lock file beside the
 *       target.
 *   <li>A symbolic link at the target is replaced by a regular file, not written through; the owner
 *       of the target is not preserved (the new file belongs to the writer).
 *   <li>If the final directory flush fails, the exception says so, but the new content is already
 *       in place (only its durability is in doubt).
 * </ul>
 *
 * <p>Threading: all methods are static, thread-safe and blocking (file I/O and {@code fsync}).
 */
public final class AtomicFile {
  private AtomicFile() {}

  private static final String TEMP_INFIX = ".tmp-";
  private static final int CREATE_ATTEMPTS = 8;

  /** The steps of a write, for fault-injection tests. */
  enum Step {
    CREATED,
    WRITTEN,
    SYNCED,
    RENAMED
  }

  /** Called after each step of a write; tests throw from it to inject a fault there. */
  @FunctionalInterface
  interface StepListener {
    StepListener NONE = (step, temp) -> {};

    void reached(Step step, Path temp) throws IOException;
  }

  /** {@link #write(Path, byte[], Durability)} with {@link Durability#FULL}. */
  public static void write(Path target, byte[] content) throws IOException {
    write(target, content, Durability.FULL);
  }

  /**
   * Replaces the content of {@code target} (creating it if missing) with {@code content}.
   *
   * @throws IOException if any step fails; the target then still has its old content (or is still
   *     missing), except when only the directory flush failed (see the class documentation). The
   *     temporary file is gone in every case.
   */
  public static void write(Path target, byte[] content, Durability durability) throws IOException {
    write(target, content, durability, StepListener.NONE);
  }

  static void write(Path target, byte[] content, Durability durability, StepListener listener)
      throws IOException {
    Objects.requireNonNull(target, "target must not be null");
    Objects.requireNonNull(content, "content must not be null");
    Objects.requireNonNull(durability, "durability must not be null");
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    String prefix = tempPrefix(absolute);
    Path temp = null;
    try {
      FileChannel channel = null;
      for (int attempt = 1; channel == null; attempt++) {
        Path candidate = dir.resolve(prefix + randomSuffix());
        try {
          channel =
              FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          temp = candidate;
        } catch (FileAlreadyExistsException taken) {
          if (attempt == CREATE_ATTEMPTS) {
            throw taken;
          }
        }
      }
      try (FileChannel ch = channel) {
        listener.reached(Step.CREATED, temp);
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
        listener.reached(Step.WRITTEN, temp);
        copyPermissions(absolute, temp);
        if (durability == Durability.FULL) {
          ch.force(true);
        }
        listener.reached(Step.SYNCED, temp);
      }
      Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
      temp = null;
      listener.reached(Step.RENAMED, absolute);
      if (durability == Durability.FULL) {
        syncDirectory(dir);
      }
    } catch (IOException | RuntimeException | Error e) {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException | RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
  }

  /**
   * Removes the temporary files that writes of {@code target} left behind when they crashed: files
   * named {@code .NAME.tmp-*} beside it, last modified at least {@code minAge} ago. Call it while
   * holding the lock that serializes the target's writers, with {@link Duration#ZERO}: then every
   * such file is a leftover. Without such a lock, choose an age longer than any write takes, so
   * that a write in progress keeps its file.
   *
   * @return the files removed
   * @throws IOException if the directory cannot be listed or a leftover cannot be removed
   */
  public static List<Path> removeLeftovers(Path target, Duration minAge) throws IOException {
    Objects.requireNonNull(target, "target must not be null");
    Objects.requireNonNull(minAge, "minAge must not be null");
    Path absolute = target.toAbsolutePath();
    String prefix = tempPrefix(absolute);
    Instant cutoff = Instant.now().minus(minAge);
    List<Path> removed = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(absolute.getParent(), e -> isTempName(e, prefix))) {
      for (Path leftover : entries) {
        FileTime modified;
        try {
          modified = Files.getLastModifiedTime(leftover);
        } catch (NoSuchFileException gone) {
          continue;
        }
        if (!modified.toInstant().isAfter(cutoff) && Files.deleteIfExists(leftover)) {
          removed.add(leftover);
        }
      }
    }
    return removed;
  }

  /** Whether {@code candidate} is named like a temporary file of a write of {@code target}. */
  public static boolean isTemporaryFileOf(Path target, Path candidate) {
    Path absolute = target.toAbsolutePath();
    Path other = candidate.toAbsolutePath();
    return Objects.equals(absolute.getParent(), other.getParent())
        && isTempName(other, tempPrefix(absolute));
  }

  private static boolean isTempName(Path p, String prefix) {
    String name = p.getFileName().toString();
    return name.startsWith(prefix) && name.length() > prefix.length();
  }

  private static String tempPrefix(Path absoluteTarget) {
    Path name = absoluteTarget.getFileName();
    if (name == null) {
      throw new IllegalArgumentException("not a file path: " + absoluteTarget);
    }
    return "." + name + TEMP_INFIX;
  }

  private static String randomSuffix() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  private static void copyPermissions(Path from, Path to) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(from);
    } catch (NoSuchFileException | UnsupportedOperationException newFileOrNotPosix) {
      return;
    }
    Files.setPosixFilePermissions(to, permissions);
  }

  /** Flushes a directory's entries (a rename) to the disk; Linux allows fsync on a directory. */
  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
