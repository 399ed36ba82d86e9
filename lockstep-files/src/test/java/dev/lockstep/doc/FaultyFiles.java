package dev.lockstep.doc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The real file layer with counters and one injectable fault: the Nth write, fsync or rename fails,
 * or the Nth write finds the disk full (half its bytes land, then {@code ENOSPC}). Thread-safe.
 */
final class FaultyFiles implements DocumentFiles {
  enum Kind {
    WRITE,
    SYNC,
    RENAME
  }

  private final DocumentFiles real = DocumentFiles.REAL;
  private final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
  private Kind failKind;
  private int failAt;
  private boolean diskFull;

  /** Fails the {@code n}th operation of {@code kind} from now on (1 = the next one). */
  synchronized void failNth(Kind kind, int n, boolean asDiskFull) {
    counts.clear();
    failKind = kind;
    failAt = n;
    diskFull = asDiskFull;
  }

  synchronized void heal() {
    failKind = null;
  }

  synchronized int count(Kind kind) {
    return counts.getOrDefault(kind, 0);
  }

  synchronized void resetCounts() {
    counts.clear();
  }

  /** Counts an operation; true if it must fail. */
  private synchronized boolean tick(Kind kind) {
    int n = counts.merge(kind, 1, Integer::sum);
    return kind == failKind && n == failAt;
  }

  private IOException fault(Kind kind, Path file) {
    return new IOException(
        (diskFull ? "No space left on device" : "injected " + kind + " fault") + ": " + file);
  }

  @Override
  public byte[] read(Path file) throws IOException {
    return real.read(file);
  }

  @Override
  public byte[] readFrom(Path file, long offset) throws IOException {
    return real.readFrom(file, offset);
  }

  @Override
  public void create(Path file, byte[] content) throws IOException {
    if (tick(Kind.WRITE)) {
      if (diskFull) {
        real.create(file, Arrays.copyOf(content, content.length / 2));
      }
      throw fault(Kind.WRITE, file);
    }
    real.create(file, content);
  }

  @Override
  public void sync(Path file) throws IOException {
    if (tick(Kind.SYNC)) {
      throw fault(Kind.SYNC, file);
    }
    real.sync(file);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    if (tick(Kind.RENAME)) {
      throw fault(Kind.RENAME, to);
    }
    real.rename(from, to);
  }

  @Override
  public void link(Path link, Path existing) throws IOException {
    real.link(link, existing);
  }

  @Override
  public boolean delete(Path file) throws IOException {
    return real.delete(file);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (tick(Kind.SYNC)) {
      throw fault(Kind.SYNC, dir);
    }
    real.syncDirectory(dir);
  }

  @Override
  public AppendFile openAppend(Path file) throws IOException {
    AppendFile out = real.openAppend(file);
    return new AppendFile() {
      @Override
      public long size() throws IOException {
        return out.size();
      }

      @Override
      public void append(byte[] bytes) throws IOException {
        if (tick(Kind.WRITE)) {
          if (diskFull) {
            out.append(Arrays.copyOf(bytes, bytes.length / 2));
          }
          throw fault(Kind.WRITE, file);
        }
        out.append(bytes);
      }

      @Override
      public void sync() throws IOException {
        if (tick(Kind.SYNC)) {
          throw fault(Kind.SYNC, file);
        }
        out.sync();
      }

      @Override
      public void truncate(long size) throws IOException {
        out.truncate(size);
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }
}
