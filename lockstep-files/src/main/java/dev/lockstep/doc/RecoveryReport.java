package dev.lockstep.doc;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link DocumentStore#recover()} repaired and what it had to leave.
 *
 * @param document the document recovered
 * @param repaired the findings that were repaired
 * @param unrepaired the findings that need a person (the document is never modified for them)
 */
public record RecoveryReport(Path document, List<Finding> repaired, List<Finding> unrepaired) {
  /** Copies the lists. */
  public RecoveryReport {
    repaired = List.copyOf(repaired);
    unrepaired = List.copyOf(unrepaired);
  }

  /** Whether everything found was repaired (or nothing was wrong). */
  public boolean clean() {
    return unrepaired.isEmpty();
  }
}
