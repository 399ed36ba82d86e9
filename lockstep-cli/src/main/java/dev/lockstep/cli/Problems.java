package dev.lockstep.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;

/**
 * Failures as the commands print them: what went wrong in words, never a Java class name. {@code
 * Throwable.toString()} starts with the class name and a {@link FileSystemException}'s message is
 * often just the file, so neither is printed as it is.
 */
final class Problems {
  private Problems() {}

  /** {@code state.yaml: no such file or directory}, or the exception's message. */
  static String describe(Throwable e) {
    return describe(e, null);
  }

  /**
   * As {@link #describe(Throwable)}, without the file when it is {@code subject} (which the caller
   * names already): {@code no such file or directory}.
   */
  static String describe(Throwable e, Path subject) {
    Throwable cause = e.getCause();
    String message = e.getMessage();
    if (cause != null
        && (e instanceof UncheckedIOException
            || message == null
            || message.isBlank()
            || message.equals(cause.toString()))) {
      return describe(cause, subject); // a wrapper that says nothing of its own
    }
    if (e instanceof FileSystemException f) {
      return describe(f, subject);
    }
    return message == null || message.isBlank() ? "failed, and gave no reason" : message;
  }

  private static String describe(FileSystemException f, Path subject) {
    String what = phrase(f);
    String reason = f.getReason();
    String why;
    if (what == null) {
      why = reason == null || reason.isBlank() ? "cannot be used" : reason;
    } else {
      why = reason == null || reason.isBlank() ? what : what + " (" + reason + ")";
    }
    String file = f.getFile();
    if (file == null || (subject != null && file.equals(subject.toString()))) {
      file = null;
    }
    String files =
        f.getOtherFile() == null
            ? file
            : (file == null ? f.getFile() : file) + " -> " + f.getOtherFile();
    return files == null ? why : files + ": " + why;
  }

  /** What the exception's type says, in words; null for a plain {@link FileSystemException}. */
  private static String phrase(FileSystemException f) {
    return switch (f) {
      case NoSuchFileException e -> "no such file or directory";
      case AccessDeniedException e -> "permission denied";
      case FileAlreadyExistsException e -> "already exists";
      case NotDirectoryException e -> "not a directory";
      case DirectoryNotEmptyException e -> "directory not empty";
      case NotLinkException e -> "not a symbolic link";
      case FileSystemLoopException e -> "a loop of symbolic links";
      default -> null;
    };
  }
}
