package dev.lockstep.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which file a path or a descriptor is, as the kernel sees it: device and inode.
 *
 * @param device {@code st_dev}, in the user-space encoding of {@code stat(2)}
 * @param inode {@code st_ino}
 */
record FileKey(long device, long inode) {

  /** The file at {@code path} now (following symbolic links), or {@code null} if there is none. */
  static FileKey atPath(Path path) throws IOException {
    try {
      return of(Files.readAttributes(path, "unix:dev,ino"));
    } catch (NoSuchFileException missing) {
      return null;
    }
  }

  /**
   * The file an open descriptor of this process refers to, even after it was unlinked: {@code stat}
   * of {@code /proc/self/fd/N} follows the descriptor, not a name, so it is {@code fstat}.
   */
  static FileKey ofDescriptor(int fd) throws IOException {
    return of(Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:dev,ino"));
  }

  private static FileKey of(Map<String, Object> attributes) {
    return new FileKey((Long) attributes.get("dev"), (Long) attributes.get("ino"));
  }

  /** The major device number, as {@code /proc/locks} prints it. */
  long major() {
    return ((device >>> 8) & 0xfff) | ((device >>> 32) & 0xfffff000L);
  }

  /** The minor device number, as {@code /proc/locks} prints it. */
  long minor() {
    return (device & 0xff) | ((device >>> 12) & 0xffffff00L);
  }

  /** {@code MAJ:MIN:INODE} as in {@code /proc/locks}: hex, hex, decimal. */
  @Override
  public String toString() {
    return String.format("%02x:%02x:%d", major(), minor(), inode);
  }
}
