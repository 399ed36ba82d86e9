package dev.lockstep.doc;

import java.nio.file.Path;

/**
 * Where a document's companion files live: {@code NAME.lock}, {@code NAME.backup.N}, the change
 * log, and the temp-file prefix {@code .NAME.tmp-}.
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
}
