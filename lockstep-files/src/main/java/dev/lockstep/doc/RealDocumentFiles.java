package dev.lockstep.doc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * {@link DocumentFiles} on the real file system.
 *
 * <p>Which flush each file gets. A spare overwritten in place ({@link #rewrite}) and the change log
 * ({@link AppendFile#sync}) are flushed with {@code fdatasync} ({@code FileChannel.force(false)}):
 * POSIX has it flush the data and the metadata needed to read the data back, the size included, and
 * leave out the rest (times). What a commit needs of these files after a power loss is their bytes
 * and their length: the document's name points to the spare's inode only once the directory is
 * synced after the rename, and that inode's bytes and size are already on the disk then; its
 * modification time may be older than the content (nothing reads it). A full {@code fsync} stays
 * where other metadata must survive: a new temp file (its permissions are set by a {@code chmod}
 * after creation), a spare whose permissions had to change, {@link #sync} and directories. On ext4
 * the difference is a journal commit: an overwrite of allocated blocks with the same length needs
 * none under {@code fdatasync}, but changes the inode's times, which {@code fsync} must commit
 * (measured by the lead on this disk: 140–144 µs against 222–234 µs per sync).
 */
final class RealDocumentFiles implements DocumentFiles {

  /** How a channel is flushed ({@code metadata} false: {@code fdatasync}); tests record it. */
  @FunctionalInterface
  interface Flush {
    void force(FileChannel channel, boolean metadata) throws IOException;
  }

  private final Flush flush;

  RealDocumentFiles() {
    this(FileChannel::force);
  }

  /** With {@code flush} instead of {@link FileChannel#force} (for tests). */
  RealDocumentFiles(Flush flush) {
    this.flush = flush;
  }

  @Override
  public byte[] read(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  @Override
  public byte[] readFrom(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (offset >= size) {
        return new byte[0];
      }
      ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size - offset));
      while (buffer.hasRemaining() && ch.read(buffer, offset + buffer.position()) >= 0) {
        // read on
      }
      return buffer.position() == buffer.capacity()
          ? buffer.array()
          : java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }
  }

  @Override
  public Content readWithPermissions(Path file) throws IOException {
    PosixFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (UnsupportedOperationException notPosix) {
      return new Content(read(file), null);
    }
    // the stat's size sizes the buffer (one more byte, to see the end); the reads decide the length
    long expected = attributes.size();
    byte[] buffer = new byte[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(0, expected) + 1)];
    int length = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (true) {
        if (length == buffer.length) {
          buffer = java.util.Arrays.copyOf(buffer, Math.addExact(buffer.length, buffer.length));
        }
        int wanted = buffer.length - length;
        int n = ch.read(ByteBuffer.wrap(buffer, length, wanted));
        if (n < 0) {
          break;
        }
        length += n;
        if (n > 0 && n < wanted && length >= expected) {
          break; // short, and all the stat promised: the end; spare the read that returns 0
        }
      }
    }
    return new Content(
        length == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, length),
        attributes.permissions());
  }

  @Override
  public void create(Path file, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    create(file, content, permissions, false);
  }

  @Override
  public void createSynced(Path file, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    create(file, content, permissions, true);
  }

  private void create(Path file, byte[] content, Set<PosixFilePermission> permissions, boolean sync)
      throws IOException {
    // created with the permissions when the umask keeps them all (never broader, even for a moment)
    boolean exact = permissions != null && Umask.passes(permissions);
    try (FileChannel ch =
        exact
            ? FileChannel.open(
                file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(permissions))
            : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      writeFully(ch, content);
      if (permissions != null) {
        // even when created with them: a directory's default ACL overrides the umask at creation
        Files.setPosixFilePermissions(file, permissions);
      }
      if (sync) {
        flush.force(ch, true); // the chmod above must survive too
      }
    }
  }

  @Override
  public void create(Path file, byte[] content) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      writeFully(ch, content);
    }
  }

  @Override
  public boolean rewrite(
      Path file, byte[] content, Set<PosixFilePermission> permissions, boolean sync)
      throws IOException {
    if (permissions == null) {
      return false; // no POSIX permissions to keep exact
    }
    Map<String, Object> unix;
    try {
      unix = Files.readAttributes(file, "unix:mode,nlink,uid,size", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | UnsupportedOperationException missingOrNotUnix) {
      return false;
    }
    int mode = (Integer) unix.get("mode");
    if ((mode & S_IFMT) != S_IFREG
        || (Integer) unix.get("nlink") != 1
        || (Integer) unix.get("uid") != OpenFileCheck.EUID
        || !OpenFileCheck.openNowhereElse(file)) {
      return false;
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        ch.write(buffer, buffer.position()); // pwrite over the old bytes: no block allocated
      }
      if ((Long) unix.get("size") > content.length) {
        ch.truncate(content.length);
      }
      boolean chmod = (mode & 07777) != modeBits(permissions);
      if (chmod) {
        Files.setPosixFilePermissions(file, permissions);
      }
      if (sync) {
        // fdatasync: bytes and length (the truncate too), no journal commit for the times; fsync
        // only when the mode changed, which must survive as well (see the class documentation)
        flush.force(ch, chmod);
      }
    }
    return true;
  }

  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;

  private static int modeBits(Set<PosixFilePermission> permissions) {
    int bits = 0;
    for (PosixFilePermission p : permissions) {
      bits |= 0400 >> p.ordinal(); // OWNER_READ, OWNER_WRITE, ... OTHERS_EXECUTE: 0400 down to 01
    }
    return bits;
  }

  @Override
  public void sync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      flush.force(ch, true);
    }
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void link(Path link, Path existing) throws IOException {
    Files.createLink(link, existing);
  }

  @Override
  public boolean delete(Path file) throws IOException {
    return Files.deleteIfExists(file);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      flush.force(d, true);
    }
  }

  @Override
  public AppendFile openAppend(Path file) throws IOException {
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    return new AppendFile() {
      @Override
      public long size() throws IOException {
        return ch.size();
      }

      @Override
      public void append(byte[] bytes) throws IOException {
        ch.position(ch.size());
        writeFully(ch, bytes);
      }

      @Override
      public void appendAt(long size, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          ch.write(buffer, size + buffer.position()); // pwrite: no fstat, no lseek
        }
      }

      @Override
      public void sync() throws IOException {
        flush.force(ch, false);
      }

      @Override
      public void truncate(long size) throws IOException {
        ch.truncate(size);
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }

  private static void writeFully(FileChannel ch, byte[] content) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(content);
    while (buffer.hasRemaining()) {
      ch.write(buffer);
    }
  }
}
