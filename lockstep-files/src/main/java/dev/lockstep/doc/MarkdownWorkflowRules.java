package dev.lockstep.doc;

import dev.lockstep.doc.InvalidDocumentException.Problem;
import dev.lockstep.doc.MarkdownWorkflowLines.Line;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The rules for single lines and values of a Markdown workflow document. Each method returns the
 * parsed value, or {@code null} after adding a problem that names the line and what was expected.
 */
final class MarkdownWorkflowRules {
  private final List<Problem> problems;

  MarkdownWorkflowRules(List<Problem> problems) {
    this.problems = problems;
  }

  private <T> T problem(Line line, String message) {
    problems.add(new Problem(line.number(), message));
    return null;
  }

  /**
   * A task line {@code - [c] text}.
   *
   * @param where the section, for messages
   * @param required the only state allowed there, or null for any
   */
  WorkflowTask task(Line line, String where, WorkflowTask.State required) {
    String text = line.text();
    String expected =
        required == null
            ? "\"- [ ] <task>\", \"- [~] <task>\" or \"- [x] <task>\""
            : "\"- " + required.checkbox() + " <task>\"";
    if (!text.startsWith("- [")) {
      return problem(
          line,
          "unexpected line "
              + WorkflowText.quote(text)
              + " under \""
              + where
              + "\": expected "
              + expected);
    }
    int close = text.indexOf(']', 3);
    if (close != 4) {
      String box = close < 0 ? text.substring(2) : text.substring(2, close + 1);
      return problem(
          line, "bad checkbox " + WorkflowText.quote(box) + ": expected [ ], [~] or [x]");
    }
    WorkflowTask.State state = WorkflowTask.State.ofMarker(text.charAt(3));
    if (state == null) {
      return problem(
          line,
          "bad checkbox "
              + WorkflowText.quote(text.substring(2, 5))
              + ": expected [ ], [~] or [x]");
    }
    if (text.length() < 6 || text.charAt(5) != ' ') {
      return problem(line, "expected one space and the task's text after " + state.checkbox());
    }
    String taskText = text.substring(6);
    String textProblem = WorkflowText.lineTextProblem(taskText);
    if (textProblem != null) {
      return problem(line, "the task's text " + textProblem);
    }
    if (required != null && state != required) {
      return problem(
          line,
          "task "
              + state.checkbox()
              + " under \""
              + where
              + "\": tasks there must be "
              + required.checkbox());
    }
    return new WorkflowTask(state, taskText);
  }

  /** A note line {@code - <instant> text}. */
  WorkflowNote note(Line line) {
    String text = line.text();
    int space = text.indexOf(' ', 2);
    if (!text.startsWith("- ") || space < 0) {
      return problem(
          line,
          "bad note "
              + WorkflowText.quote(text)
              + ": expected \"- <instant> <text>\" such as \"- 2026-01-21T10:04:00Z retrying\"");
    }
    Instant at = instant(line, "note", text.substring(2, space));
    String noteText = text.substring(space + 1);
    String textProblem = WorkflowText.lineTextProblem(noteText);
    if (textProblem != null) {
      return problem(line, "the note's text " + textProblem);
    }
    return at == null ? null : new WorkflowNote(at, noteText);
  }

  /** An ISO-8601 instant in UTC, written the way {@link Instant#toString()} writes it. */
  Instant instant(Line line, String what, String value) {
    Instant at;
    try {
      at = Instant.parse(value);
    } catch (DateTimeParseException e) {
      return problem(
          line,
          "bad "
              + what
              + " timestamp "
              + WorkflowText.quote(value)
              + ": expected an ISO-8601 instant in UTC such as 2026-01-21T10:00:00Z");
    }
    if (!at.toString().equals(value)) {
      return problem(
          line,
          "bad "
              + what
              + " timestamp "
              + WorkflowText.quote(value)
              + ": write it as "
              + at
              + " (UTC, 'Z', fractions of a second in groups of 3 digits)");
    }
    return at;
  }

  /** A workflow id: no whitespace. */
  String id(Line line, String value) {
    String problem = WorkflowText.idProblem(value);
    return problem == null
        ? value
        : problem(line, "bad workflow id " + WorkflowText.quote(value) + ": it " + problem);
  }

  /** {@code Wave N/M}. */
  WorkflowStatus status(Line line, String value) {
    String problem = WorkflowStatus.problem(value);
    return problem == null
        ? WorkflowStatus.parse(value).orElseThrow()
        : problem(line, "bad status " + WorkflowText.quote(value) + ": " + problem);
  }

  /** A positive decimal number without leading zeros. */
  Long revision(Line line, String value) {
    if (!value.matches("[0-9]+")) {
      return problem(
          line, "bad revision " + WorkflowText.quote(value) + ": expected a positive whole number");
    }
    if (value.equals("0")) {
      return problem(
          line,
          "bad revision 0: a document without a revision has no \"**Revision:**\" line;"
              + " a written revision is 1 or more");
    }
    if (value.startsWith("0")) {
      return problem(
          line, "bad revision " + WorkflowText.quote(value) + ": write it without leading zeros");
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return problem(
          line, "bad revision " + WorkflowText.quote(value) + ": larger than " + Long.MAX_VALUE);
    }
  }
}
