package dev.lockstep.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The child JVM of the multi-process tests: {@code ChildLocker KIND PATH} where KIND is {@code
 * flock} or {@code posix} (a {@link FileLock}) or {@code channel} ({@link FileChannel#lock()}).
 * Prints {@code locked PID} once it holds the lock, holds it until standard input closes (or the
 * process is killed), then releases it.
 */
public final class ChildLocker {
  private ChildLocker() {}

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    Path path = Path.of(args[1]);
    if (kind.equals("channel")) {
      try (FileChannel ch =
              FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          java.nio.channels.FileLock held = ch.lock()) {
        holdUntilInputCloses();
      }
      return;
    }
    FileLockMode mode = kind.equals("posix") ? FileLockMode.POSIX : FileLockMode.FLOCK;
    try (FileLockHandle h = FileLock.of(path, mode).acquire(Duration.ofSeconds(30))) {
      holdUntilInputCloses();
    }
  }

  private static void holdUntilInputCloses() throws IOException {
    System.out.println("locked " + ProcessHandle.current().pid());
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // hold
    }
  }
}
