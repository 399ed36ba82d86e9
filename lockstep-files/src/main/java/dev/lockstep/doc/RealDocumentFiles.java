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

/** {@link DocumentFiles} on the real file system. */
final class RealDocumentFiles implements DocumentFiles {

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

  private static void create(
      Path file, byte[] content, Set<PosixFilePermission> permissions, boolean sync)
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
        ch.force(true);
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
      if ((mode & 07777) != modeBits(permissions)) {
        Files.setPosixFilePermissions(file, permissions);
      }
      if (sync) {
        ch.force(true);
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
      ch.force(true);
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
      d.force(true);
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
        ch.force(false);
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
