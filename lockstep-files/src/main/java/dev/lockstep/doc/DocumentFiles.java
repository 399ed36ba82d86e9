package dev.lockstep.doc;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Every file operation a {@link DocumentStore} makes that can fail halfway, behind one small seam
 * so that tests can inject faults (the Nth write, fsync or rename failing; a full disk). {@link
 * #REAL} is the only production implementation.
 */
interface DocumentFiles {
  DocumentFiles REAL = new RealDocumentFiles();

  /** The whole file. */
  byte[] read(Path file) throws IOException;

  /** The file from {@code offset} to its end. */
  byte[] readFrom(Path file, long offset) throws IOException;

  /** Creates {@code file}, which must not exist, with {@code content} (no fsync). */
  void create(Path file, byte[] content) throws IOException;

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

    /** Flushes the appended bytes to the disk ({@code fdatasync}). */
    void sync() throws IOException;

    /** Cuts the file to {@code size} bytes. */
    void truncate(long size) throws IOException;
  }
}
