package dev.lockstep.doc;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link DocumentStore#verify()} found.
 *
 * @param document the document checked
 * @param documentRevision the revision inside the document ({@code 0} if missing or unreadable)
 * @param loggedRevision the revision of the last valid change-log line ({@code 0} if none)
 * @param findings everything found wrong, empty when all is well
 */
public record VerifyReport(
    Path document, long documentRevision, long loggedRevision, List<Finding> findings) {
  /** Copies the list. */
  public VerifyReport {
    findings = List.copyOf(findings);
  }

  /** Whether nothing is wrong. */
  public boolean ok() {
    return findings.isEmpty();
  }
}
