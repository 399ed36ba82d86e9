package dev.lockstep.doc;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Phaser;

/**
 * The real file layer with counters and injectable faults: the Nth write, file fsync, directory
 * fsync or rename fails (one fault per kind), or the Nth write finds the disk full (half its bytes
 * land, then {@code ENOSPC}). A spare's rewrite is a write and then a sync. It can also require
 * that directory and file fsyncs overlap ({@link #requireOverlap}). Thread-safe.
 */
final class FaultyFiles implements DocumentFiles {
  enum Kind {
    WRITE,
    SYNC, // a file's fsync or fdatasync (the temp file, the log)
    DIRECTORY_SYNC,
    RENAME,
    REWRITE // a spare overwritten in place (counted only; its write and sync fail as WRITE, SYNC)
  }

  private final DocumentFiles real = DocumentFiles.REAL;
  private final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
  private final Map<Kind, Integer> failAt = new EnumMap<>(Kind.class);
  private boolean diskFull;
  private Duration overlapWait; // null: syncs need not overlap
  private final Phaser overlap = new Phaser(2);

  /** Fails the {@code n}th operation of {@code kind} from now on (1 = the next one). */
  synchronized void failNth(Kind kind, int n, boolean asDiskFull) {
    counts.clear();
    failAt.clear();
    failAt.put(kind, n);
    diskFull = asDiskFull;
  }

  /**
   * Also fails the {@code n}th operation of {@code kind}, counted from the last {@link #failNth}.
   */
  synchronized void alsoFailNth(Kind kind, int n) {
    failAt.put(kind, n);
  }

  /**
   * From now on each directory fsync and each file fsync wait (up to {@code wait}) until one of the
   * other kind has started, and fail if none does: only syncs that run at the same time pass.
   */
  synchronized void requireOverlap(Duration wait) {
    overlapWait = wait;
  }

  synchronized void heal() {
    failAt.clear();
    overlapWait = null;
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
    return failAt.containsKey(kind) && failAt.get(kind) == n;
  }

  /** In {@link #requireOverlap} mode: meets a sync of the other kind, or fails. */
  private void meet(Kind kind, Path file) throws IOException {
    Duration wait;
    synchronized (this) {
      wait = overlapWait;
    }
    if (wait == null) {
      return;
    }
    try {
      overlap.awaitAdvanceInterruptibly(
          overlap.arrive(), wait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new IOException(kind + " of " + file + " ran alone (not overlapped): " + e, e);
    }
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
  public boolean rewrite(
      Path file, byte[] content, Set<PosixFilePermission> permissions, boolean sync)
      throws IOException {
    if (tick(Kind.WRITE)) {
      if (diskFull) {
        real.rewrite(file, Arrays.copyOf(content, content.length / 2), permissions, false);
      }
      throw fault(Kind.WRITE, file);
    }
    if (!real.rewrite(file, content, permissions, false)) {
      return false;
    }
    tick(Kind.REWRITE);
    if (sync) {
      sync(file);
    }
    return true;
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
    if (tick(Kind.DIRECTORY_SYNC)) {
      throw fault(Kind.DIRECTORY_SYNC, dir);
    }
    meet(Kind.DIRECTORY_SYNC, dir);
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
        meet(Kind.SYNC, file);
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
