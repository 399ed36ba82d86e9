package dev.lockstep.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes a file or directory read-only for this process until closed. Permission bits do not stop
 * root, so as root the file is made immutable ({@code chattr +i}: even root cannot open it for
 * writing or create files in it); the test is skipped where that is not possible.
 */
final class ReadOnly implements AutoCloseable {
  private final Path path;
  private final Set<PosixFilePermission> before;

  private ReadOnly(Path path, Set<PosixFilePermission> before) {
    this.path = path;
    this.before = before;
  }

  static ReadOnly make(Path path) throws IOException, InterruptedException {
    if (isRoot()) {
      Assumptions.assumeTrue(chattr("+i", path), "chattr +i " + path + " failed");
      return new ReadOnly(path, null);
    }
    Set<PosixFilePermission> before = Files.getPosixFilePermissions(path);
    Set<PosixFilePermission> without = EnumSet.copyOf(before);
    without.removeAll(
        Set.of(
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE));
    Files.setPosixFilePermissions(path, without);
    return new ReadOnly(path, before);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (before == null) {
      chattr("-i", path);
    } else {
      Files.setPosixFilePermissions(path, before);
    }
  }

  static boolean isRoot() throws IOException {
    return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
  }

  private static boolean chattr(String flag, Path path) throws IOException, InterruptedException {
    try {
      Process p =
          new ProcessBuilder("chattr", flag, path.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor() == 0;
    } catch (IOException noChattr) {
      return false;
    }
  }
}
