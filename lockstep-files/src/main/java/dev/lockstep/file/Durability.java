package dev.lockstep.file;

/** How hard an {@link AtomicFile} write works to survive a crash of the machine. */
public enum Durability {
  /**
   * The default: the new content is flushed to the disk before the rename ({@code fsync} of the
   * file) and the rename itself is flushed after it ({@code fsync} of the directory). When the
   * write returns, the new content survives a power cut.
   */
  FULL,

  /**
   * No {@code fsync}: the replacement is still atomic for readers and for a crash of the process,
   * but a crash of the machine may leave the old content, or (on some file systems) an empty file.
   * For tests and scratch data.
   */
  NONE
}
