package dev.lockstep.doc;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Every file operation a {@link DocumentStore} makes that can fail halfway, behind one small seam
 * so that tests can inject faults (the Nth write, fsync or rename failing; a full disk). {@link
 * #REAL} is the only production implementation.
 */
interface DocumentFiles {
  DocumentFiles REAL = new RealDocumentFiles();

  /** The whole file. */
  byte[] read(Path file) throws IOException;

  /** A file's bytes and its permissions ({@code null} where the file system has none). */
  record Content(byte[] bytes, Set<PosixFilePermission> permissions) {}

  /** The whole file with its permissions (the real one: one {@code stat}, no {@code fstat}). */
  default Content readWithPermissions(Path file) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException notPosix) {
      permissions = null;
    }
    return new Content(read(file), permissions);
  }

  /** The file from {@code offset} to its end. */
  byte[] readFrom(Path file, long offset) throws IOException;

  /** Creates {@code file}, which must not exist, with {@code content} (no fsync). */
  void create(Path file, byte[] content) throws IOException;

  /**
   * Creates {@code file}, which must not exist, with {@code content} and, unless {@code null},
   * exactly {@code permissions} (the real one skips the {@code chmod} when the umask lets the
   * creation mode through unchanged).
   */
  default void create(Path file, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    create(file, content);
    if (permissions != null) {
      Files.setPosixFilePermissions(file, permissions);
    }
  }

  /**
   * As {@link #create(Path, byte[], Set)}, then flushes the file to the disk ({@code fsync}) — the
   * real one on the descriptor it wrote with, sparing an open and a close.
   */
  default void createSynced(Path file, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    if (permissions == null) {
      create(file, content);
    } else {
      create(file, content, permissions);
    }
    sync(file);
  }

  /**
   * Overwrites {@code file}, a spare this store keeps (a former backup), with {@code content} and
   * exactly {@code permissions} — if it may: a regular file of this process's user with no other
   * name (one link) that no one else has open, so that no other name and no reader of a former
   * document or backup sees it change. Then, if {@code sync}, flushes it ({@code fsync}). An
   * existing file's blocks are reused: nothing is allocated or freed, unlike a new temp file.
   *
   * @return false if the file may not be reused, is missing, or this file layer never reuses files
   *     (nothing was written)
   * @throws IOException if writing or syncing failed (the file then holds anything)
   */
  default boolean rewrite(
      Path file, byte[] content, Set<PosixFilePermission> permissions, boolean sync)
      throws IOException {
    return false;
  }

  /** Flushes a file's content to the disk ({@code fsync}). */
  void sync(Path file) throws IOException;

  /** Renames {@code from} over {@code to} atomically. */
  void rename(Path from, Path to) throws IOException;

  /** Makes {@code link} a new hard link to {@code existing}. */
  void link(Path link, Path existing) throws IOException;

  /** Deletes {@code file} if it exists. */
  boolean delete(Path file) throws IOException;

  /** Flushes a directory's entries (renames, links) to the disk. */
  void syncDirectory(Path dir) throws IOException;

  /** Opens {@code file} for appending, creating it when missing. */
  AppendFile openAppend(Path file) throws IOException;

  /** A file open for appending: the change log. */
  interface AppendFile extends Closeable {
    /** The file's current size. */
    long size() throws IOException;

    /** Appends all of {@code bytes} at the end. */
    void append(byte[] bytes) throws IOException;

    /**
     * Appends all of {@code bytes} at {@code size}, which the caller knows to be the file's current
     * size (under the document's lock), sparing the size lookup and seek of {@link #append}.
     */
    default void appendAt(long size, byte[] bytes) throws IOException {
      append(bytes);
    }

    /** Flushes the appended bytes to the disk ({@code fdatasync}). */
    void sync() throws IOException;

    /** Cuts the file to {@code size} bytes. */
    void truncate(long size) throws IOException;
  }
}
