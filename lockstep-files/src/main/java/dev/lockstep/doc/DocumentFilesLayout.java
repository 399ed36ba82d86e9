package dev.lockstep.doc;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a document's companion files live: {@code NAME.lock}, {@code NAME.backup.N}, the change
 * log, the temp-file prefix {@code .NAME.tmp-} and the spare files {@code .NAME.spare-<16 hex>}.
 */
record DocumentFilesLayout(Path document, Path lockFile, Path changeLog, int backups) {

  static DocumentFilesLayout of(Path document, DocumentOptions options) {
    String name = document.getFileName().toString();
    Path log =
        options
            .changeLog()
            .map(p -> p.toAbsolutePath().normalize())
            .orElse(document.resolveSibling(name + ".changes.jsonl"));
    return new DocumentFilesLayout(
        document, document.resolveSibling(name + ".lock"), log, options.backups());
  }

  Path directory() {
    return document.getParent();
  }

  Path backup(int n) {
    return document.resolveSibling(document.getFileName() + ".backup." + n);
  }

  String tempPrefix() {
    return "." + document.getFileName() + ".tmp-";
  }

  /** A new name for a spare file: {@code .NAME.spare-} and 16 random hex digits. */
  Path newSpare() {
    return document.resolveSibling(
        sparePrefix() + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
  }

  /** Whether {@code name} is exactly a spare's name ({@link #newSpare}) in this directory. */
  boolean isSpare(String name) {
    String prefix = sparePrefix();
    if (!name.startsWith(prefix) || name.length() != prefix.length() + 16) {
      return false;
    }
    for (int i = prefix.length(); i < name.length(); i++) {
      if (Character.digit(name.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private String sparePrefix() {
    return "." + document.getFileName() + ".spare-";
  }
}
